package auth

import (
	_ "embed"
	"strings"
	"unicode"
	"unicode/utf8"
)

// commonPasswordsText is the hand-compiled list described in its own header:
// well-known common passwords and password words, not a breach corpus.
//
//go:embed common_passwords.txt
var commonPasswordsText string

// commonList is the parsed list; it is built once per Service (no package
// state) by newCommonList.
type commonList struct {
	words map[string]bool
}

func newCommonList() *commonList {
	c := &commonList{words: map[string]bool{}}
	for _, line := range strings.Split(commonPasswordsText, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		c.words[strings.ToLower(line)] = true
	}
	return c
}

// size is the number of distinct entries in the list.
func (c *commonList) size() int { return len(c.words) }

// keyboardRows are the walks people type: rows, columns and diagonals of a
// QWERTY keyboard, each also read backwards by isWalk.
var keyboardRows = []string{
	"`1234567890-=", "qwertyuiop[]\\", "asdfghjkl;'", "zxcvbnm,./",
	"~!@#$%^&*()_+", "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik,9ol.0p;/",
	"zaq1xsw2cde3vfr4bgt5nhy6mju7,ki8.lo9/;p0", "qazwsxedcrfvtgbyhnujmik,ol.p;/",
	"1q2w3e4r5t6y7u8i9o0p", "azertyuiop", "qsdfghjklm", "wxcvbn", "qwertzuiop", "yxcvbnm",
	"abcdefghijklmnopqrstuvwxyz", "01234567890",
}

// weak reports whether password (already NFC-normalised) is too common or
// too easy to guess for this username: a listed password or word, folded and
// stripped of digit and symbol decorations; a sequence, repeated run or
// keyboard walk; up to three listed words run together in a short password;
// or the username or the service's name.
func (c *commonList) weak(password, username string) bool {
	lower := strings.ToLower(password)
	compact := strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, lower)
	user := strings.ToLower(username)
	for _, cand := range candidates(compact) {
		if cand == "" {
			return true // nothing but digits and symbols
		}
		if c.words[cand] || cand == user || cand == "embrace" || isSequence(cand) || isRepeat(cand) || isWalk(cand) {
			return true
		}
		if utf8.RuneCountInString(cand) <= 12 && c.compound(cand, 3) {
			return true
		}
		if user != "" && (strings.Contains(cand, user) && utf8.RuneCountInString(cand)-utf8.RuneCountInString(user) < 4) {
			return true
		}
	}
	return isSequence(compact) || isRepeat(compact) || isWalk(compact)
}

// candidates are the forms of s to look up: s itself, s with look-alike
// characters folded (p@ssw0rd → password), and each with leading and
// trailing digits and symbols removed (2024password!! → password).
func candidates(s string) []string {
	forms := []string{s, fold(s, 'i'), fold(s, 'l')}
	var out []string
	seen := map[string]bool{}
	add := func(x string) {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	for _, f := range forms {
		add(f)
		add(trimDecoration(f))
	}
	// Strip before folding too, so a trailing 0 or 1 is not read as a letter.
	t := trimDecoration(s)
	add(t)
	add(fold(t, 'i'))
	add(fold(t, 'l'))
	return out
}

// fold replaces look-alike digits and symbols by the letters they stand
// for; one stands for i or l.
func fold(s string, one rune) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case '0':
			return 'o'
		case '1', '|':
			return one
		case '!':
			return 'i'
		case '3':
			return 'e'
		case '4', '@':
			return 'a'
		case '5', '$':
			return 's'
		case '7', '+':
			return 't'
		case '8':
			return 'b'
		case '9':
			return 'g'
		}
		return r
	}, s)
}

// trimDecoration removes leading and trailing characters that are not
// letters.
func trimDecoration(s string) string {
	return strings.TrimFunc(s, func(r rune) bool { return !unicode.IsLetter(r) })
}

// compound reports whether s is at most n listed words (of two or more
// characters) run together.
func (c *commonList) compound(s string, n int) bool {
	if n == 0 {
		return false
	}
	for i := 2; i <= len(s)-2; i++ {
		if !utf8.RuneStart(s[i]) {
			continue
		}
		head := s[:i]
		if !c.words[head] {
			continue
		}
		rest := s[i:]
		if c.words[rest] || c.compound(rest, n-1) {
			return true
		}
	}
	return false
}

// isSequence reports whether s runs up or down by a constant step of one
// (abcdefgh, 87654321), allowing at most one break.
func isSequence(s string) bool {
	r := []rune(s)
	if len(r) < 4 {
		return false
	}
	for _, step := range []rune{1, -1} {
		breaks := 0
		for i := 1; i < len(r); i++ {
			if r[i]-r[i-1] != step {
				breaks++
			}
		}
		if breaks <= 1 {
			return true
		}
	}
	return false
}

// isRepeat reports whether s is a unit of at most a third of its length
// repeated (aaaaaaaa, abcabcabc, 12121212), or has at most three distinct
// characters.
func isRepeat(s string) bool {
	r := []rune(s)
	distinct := map[rune]bool{}
	for _, x := range r {
		distinct[x] = true
	}
	if len(distinct) <= 3 {
		return true
	}
	for unit := 1; unit*2 <= len(r); unit++ {
		if len(r)%unit != 0 {
			continue
		}
		ok := true
		for i := unit; i < len(r); i++ {
			if r[i] != r[i-unit] {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// isWalk reports whether s is a stretch of a keyboard row (or column,
// diagonal, alphabet), forwards or backwards, or two such stretches.
func isWalk(s string) bool {
	if len(s) < 4 {
		return false
	}
	if walkPart(s) {
		return true
	}
	for i := 3; i <= len(s)-3; i++ {
		if walkPart(s[:i]) && walkPart(s[i:]) {
			return true
		}
	}
	return false
}

func walkPart(s string) bool {
	rev := reverse(s)
	for _, row := range keyboardRows {
		if strings.Contains(row, s) || strings.Contains(row, rev) {
			return true
		}
	}
	return false
}

func reverse(s string) string {
	r := []rune(s)
	for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
		r[i], r[j] = r[j], r[i]
	}
	return string(r)
}
