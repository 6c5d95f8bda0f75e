package cli

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
)

// runTextWith runs `embrace text args...` with stdin and returns the exit
// code, stdout and stderr.
func runTextWith(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	std := stdio{In: strings.NewReader(stdin), Out: &out, Err: &errb}
	code := runText(context.Background(), std, args)
	return code, out.String(), errb.String()
}

func TestRunText(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		args  []string
		stdin string
		code  int
		out   string
	}{
		{"detect zawgyi arg", []string{"detect", "ျမန္မာ"}, "", 0, "0.999959\n"},
		{"detect no myanmar", []string{"detect", "abc"}, "", 0, "-Inf\n"},
		{"detect stdin", []string{"detect"}, "မြန်မာ\nabc\n", 0, "0.000021\n-Inf\n"},
		{"convert zawgyi", []string{"convert", "ျမန္မာႏိုင္ငံ"}, "", 0, "မြန်မာနိုင်ငံ\n"},
		{"convert leaves unicode", []string{"convert"}, "မြန်မာ\nplain\n", 0, "မြန်မာ\nplain\n"},
		{"convert force", []string{"convert", "-force", "ကြ"}, "", 0, "ကွ\n"},
		{"convert crlf", []string{"convert"}, "ျမန္မာ\r\nabc\r\n", 0, "မြန်မာ\nabc\n"},
		{"normalize", []string{"normalize", "  Aung \u200b San  ", "ကုိ"}, "", 0, "Aung San\nကို\n"},
		{"normalize fold", []string{"normalize", "-fold", "ဒုတိယ၀န်ကြီး", "AUNG"}, "", 0, "ဒုတိယဝန်ကြီး\naung\n"},
		{"normalize empty line kept", []string{"normalize"}, "a\n\nb", 0, "a\n\nb\n"},
		{"romanize", []string{"romanize", "ဝင်း", "Wynn", "ဒေါ်အောင်ဆန်းစုကြည်"}, "", 0, "win\nwin\ntaw aun san su kyi\n"},
		{"match args", []string{"match", "ဦးကျော်လင်း", "U Kyaw Lin"}, "", 0, "1.0000\n"},
		{"match stdin", []string{"match"}, "Aung Aung\tKyaw Kyaw\nMg Mg Win\tမောင်မောင်ဝင်း\n", 0, "0.0000\n1.0000\n"},
		{"no input lines", []string{"romanize"}, "", 0, ""},
		{"help", []string{"-h"}, "", 0, ""},
		{"convert help", []string{"convert", "-h"}, "", 0, ""},
		{"no subcommand", nil, "", 2, ""},
		{"unknown subcommand", []string{"translate", "x"}, "", 2, ""},
		{"match one arg", []string{"match", "Aung"}, "", 2, ""},
		{"match three args", []string{"match", "a", "b", "c"}, "", 2, ""},
		{"bad flag", []string{"normalize", "-nope"}, "", 2, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			code, out, errs := runTextWith(t, tc.stdin, tc.args...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d; stderr %q", code, tc.code, errs)
			}
			if out != tc.out {
				t.Errorf("stdout %q, want %q", out, tc.out)
			}
			if code == 2 && errs == "" {
				t.Error("usage error without a message")
			}
		})
	}
}

func TestRunTextBadInput(t *testing.T) {
	t.Parallel()
	secret := "Kyaw\xffLin"
	for _, tc := range []struct {
		name  string
		args  []string
		stdin string
		where string
		out   string
	}{
		{"invalid utf8 line", []string{"normalize"}, "ok\n" + secret + "\nnever\n", "line 2", "ok\n"},
		{"invalid utf8 argument", []string{"romanize", "Win", secret}, "", "argument 2", "win\n"},
		{"invalid utf8 match argument", []string{"match", "Win", secret}, "", "argument 2", ""},
		{"invalid utf8 match line", []string{"match"}, "a\tb\n" + secret + "\tx\n", "line 2", "0.0000\n"},
		{"match line without tab", []string{"match"}, "Kyaw Lin\n", "line 1", ""},
		{"line too long", []string{"detect"}, "a\n" + strings.Repeat("က", 400000) + "\n", "line 2", "-Inf\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			code, out, errs := runTextWith(t, tc.stdin, tc.args...)
			if code != 1 {
				t.Fatalf("exit %d, want 1; stderr %q", code, errs)
			}
			if !strings.Contains(errs, tc.where) {
				t.Errorf("stderr %q does not name %s", errs, tc.where)
			}
			if strings.Contains(errs, "Kyaw") || strings.Contains(errs, "Lin") {
				t.Errorf("stderr echoes the input: %q", errs)
			}
			if strings.Count(errs, "\n") != 1 {
				t.Errorf("stderr is not one line: %q", errs)
			}
			if out != tc.out {
				t.Errorf("stdout %q, want %q", out, tc.out)
			}
		})
	}
}

// TestRunTextManyLines converts a file of thousands of lines, including one
// near the 1 MiB limit, and checks that every line comes back in order.
func TestRunTextManyLines(t *testing.T) {
	t.Parallel()
	var in, want strings.Builder
	for i := range 5000 {
		fmt.Fprintf(&in, "ေအာင္ေအာင္ %d\n", i)
		fmt.Fprintf(&want, "အောင်အောင် %d\n", i)
	}
	long := strings.Repeat("a", 1<<20)
	in.WriteString(long + "\n")
	want.WriteString(long + "\n")
	code, out, errs := runTextWith(t, in.String(), "convert")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if out != want.String() {
		t.Errorf("output differs (%d bytes, want %d)", len(out), want.Len())
	}
}

func TestRunTextCancelled(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out, errb bytes.Buffer
	in := strings.Repeat("x\n", 5000)
	code := runText(ctx, stdio{In: strings.NewReader(in), Out: &out, Err: &errb}, []string{"detect"})
	if code != 1 {
		t.Errorf("exit %d after cancel, want 1", code)
	}
}
