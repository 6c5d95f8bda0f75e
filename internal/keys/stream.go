package keys

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
)

const (
	// ChunkSize is the plaintext size of every chunk of a stream but the
	// last.
	ChunkSize = 64 << 10

	encChunkSize     = ChunkSize + tagSize
	streamPrefixSize = 16
	streamHeaderSize = 1 + streamPrefixSize
	maxChunkCounter  = 1<<56 - 1
)

var errWriterClosed = errors.New("keys: field writer: write after close")

// streamNonce builds prefix || uint56 counter || last flag.
func streamNonce(nonce *[nonceSize]byte, prefix *[streamPrefixSize]byte, counter uint64, last bool) {
	copy(nonce[:], prefix[:])
	for i := range 7 {
		nonce[streamPrefixSize+i] = byte(counter >> (8 * (6 - i)))
	}
	nonce[nonceSize-1] = 0
	if last {
		nonce[nonceSize-1] = 1
	}
}

// fieldWriter seals what is written to it in chunks.
type fieldWriter struct {
	dst     io.Writer
	k       *DataKey
	ad      []byte
	prefix  [streamPrefixSize]byte
	buf     []byte // pending plaintext, at most ChunkSize bytes
	out     []byte // sealing buffer
	counter uint64
	err     error // sticky
}

// NewFieldWriter returns a writer that encrypts an attachment under k for
// place p and writes the stream envelope (see "Formats" in the package doc)
// to dst, one 64 KiB chunk at a time: no plaintext is written anywhere. The
// caller must Close it to seal the last chunk; Close does not close dst. The
// header is written to dst before NewFieldWriter returns.
func NewFieldWriter(dst io.Writer, k *DataKey, p Place) (io.WriteCloser, error) {
	if err := p.validate(); err != nil {
		return nil, fmt.Errorf("keys: field writer: %w", err)
	}
	if err := k.use(func(*dataKeyState) error { return nil }); err != nil {
		return nil, fmt.Errorf("keys: field writer: %w", err)
	}
	w := &fieldWriter{
		dst: dst,
		k:   k,
		ad:  p.ad(streamV1),
		buf: make([]byte, 0, ChunkSize),
		out: make([]byte, 0, encChunkSize),
	}
	if _, err := rand.Read(w.prefix[:]); err != nil {
		return nil, fmt.Errorf("keys: field writer: %v", err)
	}
	var hdr [streamHeaderSize]byte
	hdr[0] = streamV1
	copy(hdr[1:], w.prefix[:])
	if _, err := dst.Write(hdr[:]); err != nil {
		return nil, fmt.Errorf("keys: field writer: %w", err)
	}
	return w, nil
}

func (w *fieldWriter) Write(p []byte) (int, error) {
	if w.err != nil {
		return 0, w.err
	}
	n := 0
	for len(p) > 0 {
		if len(w.buf) == ChunkSize {
			// More data follows, so the buffered chunk is not the last.
			if err := w.flush(false); err != nil {
				return n, err
			}
		}
		c := copy(w.buf[len(w.buf):ChunkSize], p)
		w.buf = w.buf[:len(w.buf)+c]
		p = p[c:]
		n += c
	}
	return n, nil
}

// Close seals and writes the last chunk and wipes the writer's buffers.
func (w *fieldWriter) Close() error {
	if w.err != nil {
		if w.err == errWriterClosed {
			return nil
		}
		return w.err
	}
	err := w.flush(true)
	clear(w.buf[:cap(w.buf)])
	if err != nil {
		return err
	}
	w.err = errWriterClosed
	return nil
}

func (w *fieldWriter) flush(last bool) error {
	if w.counter > maxChunkCounter {
		w.err = errors.New("keys: field writer: stream too long")
		return w.err
	}
	var nonce [nonceSize]byte
	streamNonce(&nonce, &w.prefix, w.counter, last)
	err := w.k.use(func(st *dataKeyState) error {
		w.out = st.stream.Seal(w.out[:0], nonce[:], w.buf, w.ad)
		return nil
	})
	clear(w.buf)
	w.buf = w.buf[:0]
	if err != nil {
		w.err = fmt.Errorf("keys: field writer: %w", err)
		return w.err
	}
	if _, err := w.dst.Write(w.out); err != nil {
		w.err = fmt.Errorf("keys: field writer: %w", err)
		return w.err
	}
	w.counter++
	return nil
}

// fieldReader opens a stream chunk by chunk.
type fieldReader struct {
	src     io.Reader
	k       *DataKey
	ad      []byte
	prefix  [streamPrefixSize]byte
	in      []byte // encChunkSize+1: a chunk and one byte of look-ahead
	carry   bool   // in[0] holds the look-ahead byte of the previous read
	pt      []byte // decrypted chunk
	pending []byte // unread part of pt
	counter uint64
	done    bool
	err     error // sticky
}

// NewFieldReader reads the stream envelope header from src and returns a
// reader of the plaintext written by NewFieldWriter for the same key and
// place. Every chunk is authenticated before any of its bytes are returned,
// but a stream's end is known only at its last chunk: if Read returns an
// error other than io.EOF (ErrDecrypt for a truncated, reordered or altered
// stream), discard everything already read.
func NewFieldReader(src io.Reader, k *DataKey, p Place) (io.Reader, error) {
	if err := p.validate(); err != nil {
		return nil, fmt.Errorf("keys: field reader: %w", err)
	}
	if err := k.use(func(*dataKeyState) error { return nil }); err != nil {
		return nil, fmt.Errorf("keys: field reader: %w", err)
	}
	var hdr [streamHeaderSize]byte
	if _, err := io.ReadFull(src, hdr[:]); err != nil {
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return nil, fmt.Errorf("keys: field reader: %w: too short", ErrMalformed)
		}
		return nil, fmt.Errorf("keys: field reader: %w", err)
	}
	if hdr[0] != streamV1 {
		return nil, fmt.Errorf("keys: field reader: %w: unknown envelope 0x%02x", ErrMalformed, hdr[0])
	}
	r := &fieldReader{
		src: src,
		k:   k,
		ad:  p.ad(streamV1),
		in:  make([]byte, encChunkSize+1),
	}
	copy(r.prefix[:], hdr[1:])
	return r, nil
}

func (r *fieldReader) Read(p []byte) (int, error) {
	for len(r.pending) == 0 {
		if r.err != nil {
			return 0, r.err
		}
		if r.done {
			return 0, io.EOF
		}
		if err := r.next(); err != nil {
			r.err = err
			return 0, err
		}
	}
	n := copy(p, r.pending)
	clear(r.pending[:n])
	r.pending = r.pending[n:]
	if len(r.pending) == 0 && r.done {
		clear(r.pt[:cap(r.pt)])
	}
	return n, nil
}

// next reads, authenticates and decrypts one chunk.
func (r *fieldReader) next() error {
	start := 0
	if r.carry {
		start = 1
	}
	n, err := io.ReadFull(r.src, r.in[start:])
	n += start
	last := false
	switch {
	case err == io.EOF || err == io.ErrUnexpectedEOF:
		last = true
	case err != nil:
		return fmt.Errorf("keys: field reader: %w", err)
	}
	ct := r.in[:n]
	if !last {
		ct = r.in[:encChunkSize]
	}
	switch {
	case len(ct) < tagSize:
		return fmt.Errorf("keys: field reader: %w: truncated stream", ErrDecrypt)
	case last && len(ct) == tagSize && r.counter > 0:
		return fmt.Errorf("keys: field reader: %w: empty last chunk", ErrMalformed)
	case r.counter > maxChunkCounter:
		return fmt.Errorf("keys: field reader: %w: stream too long", ErrMalformed)
	}
	var nonce [nonceSize]byte
	streamNonce(&nonce, &r.prefix, r.counter, last)
	err = r.k.use(func(st *dataKeyState) error {
		var oerr error
		r.pt, oerr = st.stream.Open(r.pt[:0], nonce[:], ct, r.ad)
		if oerr != nil {
			return ErrDecrypt
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("keys: field reader: %w", err)
	}
	r.pending = r.pt
	r.counter++
	if last {
		r.done = true
		clear(r.in)
	} else {
		r.in[0] = r.in[encChunkSize]
		r.carry = true
	}
	return nil
}
