package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"embrace/internal/api"
	"embrace/internal/auth"
	"embrace/internal/casework"
	"embrace/internal/certs"
	"embrace/internal/finance"
	"embrace/internal/intake"
	"embrace/internal/passage"
	"embrace/internal/shelter"
	"embrace/internal/store"
	"embrace/internal/vetting"
	"embrace/internal/web"
)

func runServe(ctx context.Context, std stdio, args []string) int {
	fs := newFlags(std, "serve", "serve -data DIR [-db URL] [-addr HOST:PORT]")
	var db dbFlags
	db.register(fs, "")
	addr := fs.String("addr", "127.0.0.1:8080", "listen `address`")
	if code, ok := parseFlags(fs, args, false); !ok {
		return code
	}
	if db.data == "" {
		return usageError(std, "serve", "-data is required")
	}
	d, s, err := db.open(ctx)
	if err != nil {
		return fail(std, "serve", err)
	}
	defer s.Close()
	ln, err := listen(*addr)
	if err != nil {
		return fail(std, "serve", err)
	}
	banner := fmt.Sprintf("Serving deployment %s (%s) at http://%s/", d.ID, d.Engine, ln.Addr())
	if err := serve(ctx, std, ln, d, s, banner); err != nil {
		return fail(std, "serve", err)
	}
	return 0
}

// listen opens the listening socket, turning "address in use" into a clear
// message.
func listen(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		var op *net.OpError
		if errors.As(err, &op) {
			return nil, fmt.Errorf("cannot listen on %s: %v", addr, op.Err)
		}
		return nil, fmt.Errorf("cannot listen on %s: %v", addr, err)
	}
	return ln, nil
}

// newLogger is the process's logger: text on stderr. Nothing that reaches it
// carries red data or addresses (web's access log logs route patterns only).
func newLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

// serve builds every service, prints banner (the address) once it is ready
// to answer, and runs the web server on ln until ctx ends, then shuts down
// gracefully: in-flight requests finish (up to a limit) before it returns.
// A ctx that ends while the services are still being built is a clean
// stop, not an error.
func serve(ctx context.Context, std stdio, ln net.Listener, d store.Deployment, s *store.Store, banner string) (err error) {
	defer func() {
		if err != nil && ctx.Err() != nil && errors.Is(err, context.Canceled) {
			err = nil
		}
	}()
	logger := newLogger(std.Err)
	params, err := auth.LoadParams(ctx, s)
	if err != nil {
		ln.Close()
		return err
	}
	// One casework service per process: the web pages and the API share
	// its duplicate name cache, which auth drops at lockdown and when no
	// session is left.
	cases := casework.New(s)
	// Vetting reserves its verdict moves on casework (two officers) and
	// screens every person staff record against the watch list.
	vet := vetting.New(s, cases)
	cases.SetScreener(vet.Screen)
	fin := finance.New(s, nil)
	// The web page and the API share the certificates service's public
	// rate limits.
	cs := certs.New(s, cases)
	svc, err := auth.New(auth.Config{Store: s, Params: params, Logger: logger, OnWipe: cases.DropNames})
	if err != nil {
		ln.Close()
		return err
	}
	in, err := intake.New(ctx, intake.Config{Store: s})
	if err != nil {
		ln.Close()
		return err
	}
	shelters := shelter.New(s, cases, nil)
	pg := passage.New(s, cases, nil)
	// One service per capability, shared by the pages and the API (one
	// field per line, so that capabilities join without touching others).
	a := api.New(api.Config{Store: s, Version: Version, Logger: logger, Auth: svc, Intake: in, Cases: cases,
		Shelter: shelters,
		Passage: pg,
		Vetting: vet,
		Finance: fin,
		Certs:   cs,
	})
	w, err := web.New(web.Config{Store: s, Deployment: d, Version: Version, Demo: d.Demo, Logger: logger, API: a, Auth: svc, Intake: in, Cases: cases,
		Shelter: shelters,
		Passage: pg,
		Vetting: vet,
		Finance: fin,
		Certs:   cs,
	})
	if err != nil {
		ln.Close()
		return err
	}
	// The sweeper ends expired sessions and wipes their keys; when serving
	// stops it wipes every key still in memory.
	sweepCtx, stopSweep := context.WithCancel(context.WithoutCancel(ctx))
	swept := make(chan struct{})
	go func() { defer close(swept); svc.Run(sweepCtx, time.Minute) }()
	defer func() { stopSweep(); <-swept }()
	// The passage sweeper shreds routes whose purge period has passed.
	purged := make(chan struct{})
	go func() { defer close(purged); pg.Run(sweepCtx, time.Hour, logger) }()
	defer func() { stopSweep(); <-purged }()
	srv := &http.Server{
		Handler:           w.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       5 * time.Minute,
		WriteTimeout:      5 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	fmt.Fprintln(std.Out, banner)
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
