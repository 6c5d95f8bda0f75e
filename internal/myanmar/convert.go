package myanmar

import (
	_ "embed"
)

//go:embed data/myanmar-tools/my-t-my-s0-zawgyi.txt
var zawgyiRules string

// zawgyiToUnicodeRules is the compiled published transform, parsed once.
var zawgyiToUnicodeRules = mustParseRules(zawgyiRules)

func mustParseRules(src string) *transliterator {
	t, err := parseTransliterator(src)
	if err != nil {
		panic("myanmar: embedded Zawgyi rules: " + err.Error())
	}
	return t
}

// ZawgyiToUnicode converts s from Zawgyi to Unicode with the published
// transform (see the package documentation). It assumes s is Zawgyi and
// converts unconditionally: Unicode Burmese given to it is damaged (Unicode
// medial RA, for one, is Zawgyi's medial WA). Text of unknown encoding goes
// through Clean or ConvertIfZawgyi, which ask the detector first. Text with
// no Myanmar in it comes back unchanged, except that a ZWSP at either end
// is removed and spaces around an inner ZWSP are collapsed into it, as the
// rules say. Invalid UTF-8 bytes become U+FFFD.
func ZawgyiToUnicode(s string) string {
	return zawgyiToUnicodeRules.transform(s)
}
