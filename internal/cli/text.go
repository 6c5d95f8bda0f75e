package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"embrace/internal/myanmar"
)

// maxTextLine bounds one input line of `embrace text`.
const maxTextLine = 1 << 20

const textSynopsis = `text detect|convert|normalize|romanize [TEXT...]
       embrace text match [A B]

Runs the Myanmar text boundary on each TEXT argument, or on each line of
standard input when there is none, and prints one line per input:

  detect     the probability that the text is Zawgyi (0 to 1; -Inf when it
             has no Myanmar letters); 0.95 or more is converted on intake
  convert    the text in Unicode: Zawgyi is converted when the detector is
             sure (-force: always), Unicode is left as it is
  normalize  the text normalised as Embrace stores it (-fold: as it is
             compared, look-alikes folded and Latin lower-cased)
  romanize   the Latin matching key of each syllable
  match      the similarity (0 to 1) of names A and B; without arguments,
             of each TAB-separated pair on standard input`

// runText implements `embrace text`.
func runText(ctx context.Context, std stdio, args []string) int {
	fs := newFlags(std, "text", textSynopsis)
	if code, ok := parseFlags(fs, args, true); !ok {
		return code
	}
	rest := fs.Args()
	if len(rest) == 0 {
		fs.Usage()
		return usageError(std, "text", "missing subcommand: detect, convert, normalize, romanize or match")
	}
	sub, rest := rest[0], rest[1:]
	cmd := "text " + sub
	var transform func(string) string
	switch sub {
	case "detect":
		transform = func(s string) string {
			p := myanmar.ZawgyiProbability(s)
			if math.IsInf(p, -1) {
				return "-Inf"
			}
			return strconv.FormatFloat(p, 'f', 6, 64)
		}
	case "convert":
		sfs := newFlags(std, cmd, "text convert [-force] [TEXT...]")
		force := sfs.Bool("force", false, "convert even when the detector is not sure the text is Zawgyi")
		if code, ok := parseFlags(sfs, rest, true); !ok {
			return code
		}
		rest = sfs.Args()
		transform = func(s string) string {
			if *force {
				return myanmar.ZawgyiToUnicode(s)
			}
			out, _ := myanmar.ConvertIfZawgyi(s)
			return out
		}
	case "normalize":
		sfs := newFlags(std, cmd, "text normalize [-fold] [TEXT...]")
		fold := sfs.Bool("fold", false, "fold look-alikes and case, as for matching")
		if code, ok := parseFlags(sfs, rest, true); !ok {
			return code
		}
		rest = sfs.Args()
		transform = myanmar.Normalize
		if *fold {
			transform = myanmar.FoldForMatch
		}
	case "romanize":
		transform = myanmar.Romanize
	case "match":
		return runTextMatch(ctx, std, rest)
	default:
		return usageError(std, "text", "unknown subcommand %q: want detect, convert, normalize, romanize or match", sub)
	}
	return eachText(ctx, std, cmd, rest, func(s string) (string, error) { return transform(s), nil })
}

// runTextMatch scores two names given as arguments, or TAB-separated pairs
// read from standard input.
func runTextMatch(ctx context.Context, std stdio, args []string) int {
	switch len(args) {
	case 2:
		for i, a := range args {
			if !utf8.ValidString(a) {
				return fail(std, "text match", fmt.Errorf("argument %d: %w", i+1, myanmar.ErrInvalidUTF8))
			}
		}
		fmt.Fprintln(std.Out, formatScore(myanmar.MatchNames(args[0], args[1])))
		return 0
	case 0:
		return eachText(ctx, std, "text match", nil, func(line string) (string, error) {
			a, b, ok := strings.Cut(line, "\t")
			if !ok {
				return "", errors.New("want two names separated by a TAB")
			}
			return formatScore(myanmar.MatchNames(a, b)), nil
		})
	}
	return usageError(std, "text match", "want two names, or none to read TAB-separated pairs from standard input")
}

func formatScore(s float64) string { return strconv.FormatFloat(s, 'f', 4, 64) }

// eachText applies f to each argument, or to each line of standard input
// when there are no arguments, and prints one result line per input. It
// stops at the first input that is not valid UTF-8 or that f refuses,
// naming the argument or line but never echoing it.
func eachText(ctx context.Context, std stdio, cmd string, args []string, f func(string) (string, error)) int {
	w := bufio.NewWriterSize(std.Out, 64<<10)
	failAt := func(what string, n int, err error) int {
		if ferr := w.Flush(); ferr != nil {
			return fail(std, cmd, ferr)
		}
		return fail(std, cmd, fmt.Errorf("%s %d: %w", what, n, err))
	}
	emit := func(out string) error {
		if _, err := w.WriteString(out); err != nil {
			return err
		}
		return w.WriteByte('\n')
	}
	if len(args) > 0 {
		for i, a := range args {
			if !utf8.ValidString(a) {
				return failAt("argument", i+1, myanmar.ErrInvalidUTF8)
			}
			out, err := f(a)
			if err != nil {
				return failAt("argument", i+1, err)
			}
			if err := emit(out); err != nil {
				return fail(std, cmd, err)
			}
		}
		if err := w.Flush(); err != nil {
			return fail(std, cmd, err)
		}
		return 0
	}
	if std.In == nil {
		return fail(std, cmd, errors.New("no standard input"))
	}
	sc := bufio.NewScanner(std.In)
	sc.Buffer(make([]byte, 0, 64<<10), maxTextLine+2) // the line, CR and LF
	n := 0
	for sc.Scan() {
		n++
		if n%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return failAt("line", n, err)
			}
		}
		line := strings.TrimSuffix(sc.Text(), "\r")
		if len(line) > maxTextLine {
			return failAt("line", n, errLineTooLong)
		}
		if !utf8.ValidString(line) {
			return failAt("line", n, myanmar.ErrInvalidUTF8)
		}
		out, err := f(line)
		if err != nil {
			return failAt("line", n, err)
		}
		if err := emit(out); err != nil {
			return fail(std, cmd, err)
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return failAt("line", n+1, errLineTooLong)
		}
		if ferr := w.Flush(); ferr != nil {
			return fail(std, cmd, ferr)
		}
		return fail(std, cmd, fmt.Errorf("reading standard input: %w", err))
	}
	if err := w.Flush(); err != nil {
		return fail(std, cmd, err)
	}
	return 0
}

var errLineTooLong = fmt.Errorf("longer than %d bytes", maxTextLine)
