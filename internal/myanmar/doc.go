// Package myanmar is Embrace's Myanmar text boundary, and the reference
// data that goes with it: Zawgyi detection and conversion, normalisation,
// look-alike folding, romanisation into matching keys, name matching,
// digits and NRC numbers, states, regions and townships, and military and
// police ranks.
//
// # The invariant: text enters through one boundary
//
// Every text that enters Embrace — a form field, an API call, an import —
// passes Clean before it is stored, indexed or compared. Clean refuses
// invalid UTF-8 (ErrInvalidUTF8, whose message never contains the input),
// converts Zawgyi to Unicode when the detector is sure, strips control and
// invisible characters and puts Myanmar syllables in one canonical order.
// So two spellings of the same text that differ only in encoding, storage
// order or invisible characters are stored as the same bytes, which is
// what exact look-ups, blind indexes and duplicate search rely on. The raw
// input is returned beside the clean value (Text.Original) whenever they
// differ, so nothing a person wrote is lost; it is red data, and callers
// encrypt it like the value. Nothing in this package logs, and every type
// that carries personal data (Text, Name, NRC) prints as [redacted] through
// log/slog.
//
// The package holds no mutable state: the model, rules, gazetteer and rank
// tables are embedded, parsed once at start-up and never changed, so every
// function is safe for concurrent use.
//
// # Zawgyi detection
//
// ZawgyiProbability is our implementation of the published Markov model of
// google/myanmar-tools (data/myanmar-tools/zawgyiUnicodeModel.dat, embedded
// and parsed once). It reproduces all 50 rows of upstream's
// compatibility.tsv to within 1e-9. Text with no Myanmar letters gives
// negative infinity, as upstream's clients do; comparisons against a
// threshold then say "not Zawgyi". Clean converts at ZawgyiThreshold (0.95,
// where upstream measured under 1% of Unicode text wrongly flagged);
// ZawgyiReviewThreshold (0.05) is the level above which a person may be
// asked. On the shared data every one of the 63 Zawgyi news lines scores
// 0.95 or more and every Unicode line 0.05 or less. Of the 160 names of the
// labelled name set, 155 are spelt differently in the two encodings: all
// 155 Zawgyi spellings score 0.95 or more, and none of the 160 Unicode ones
// does (six score between 0.05 and 0.95, five of them spelt the same in
// both encodings, so leaving them alone is right).
//
// # Zawgyi to Unicode conversion
//
// ZawgyiToUnicode runs the published ICU transform rules
// (my-t-my-s0-zawgyi.txt, the transform CLDR ships as "Zawgyi-my"), embedded
// unchanged and compiled once at start-up by our own interpreter for the
// subset of ICU's transform syntax the file uses (translit.go). We chose an
// interpreter over a hand translation so that the rules stay the
// reviewable, upstream text and a corrected rule file can be dropped in;
// the parser rejects any syntax it does not implement rather than guess.
// It follows ICU's semantics (phases split by ::Null, a cursor that does
// not rescan output, first matching rule wins, anchors, segments, ICU's
// escapes including its reading of the file's "\1u36" typo) with one
// deliberate difference: quantifiers backtrack, as in the regular
// expressions upstream generated from the same file for its JavaScript and
// Java clients. ICU's quantifiers never give back, which makes the rule
// "$wspace* \u200b $wspace* → \u200b" dead under ICU ($wspace contains
// U+200B); upstream's published test pairs expect it to work. Only that one
// rule needs backtracking, which is decided when the rules are parsed.
//
// Exactness: all 67 lines of mmgov_zawgyi_src.txt convert to
// mmgov_unicode_out.txt exactly, and all 126 pairs of
// z2u_pairs_from_js_spec.tsv match. As a further check, the same
// interpreter runs upstream's reverse rules (my-t-my-d0-zawgyi.txt, a test
// fixture) and every Unicode news line and every Burmese name of the name
// set survives Unicode → Zawgyi → Unicode unchanged.
//
// ZawgyiToUnicode converts unconditionally, as upstream's converters do;
// Unicode given to it is damaged. Unknown text goes through Clean or
// ConvertIfZawgyi, which leave Unicode and non-Myanmar text unchanged.
//
// # Normalisation and folding
//
// Normalize gives the stored form (see its documentation): NFC, invisible
// characters and stray joiners removed, whitespace collapsed, and Myanmar
// syllables in the storage order of Unicode Technical Note #11 with doubled
// signs collapsed. It is idempotent, and it leaves the converter's output
// for all the shared data unchanged. FoldForMatch adds, for comparison
// only, the folds of look-alikes that people and Zawgyi-era keyboards
// confuse (၀/ဝ and ၇/ရ where a digit stands for a letter, ဥ/ဉ, စျ/ဈ,
// ၄/၎) and Latin case and diacritics.
//
// # Romanisation and name matching
//
// Romanize and LatinKey map Burmese and Latin spellings into one key space,
// syllable by syllable: ဝင်း, Win, Winn and Wynn are all "win"; ခိုင်,
// Khine and Khaing "kain"; ထူး, Htoo and Htue "tu"; ဦး, Oo and U "u";
// အောင်, Aung and Oung "aun"; ကျော် and Kyaw "kyaw"; သက်, Thet and Thett
// "thet". See romanize.go for the classes.
//
// PrepareName turns a name in any mix of Unicode Burmese, Zawgyi and Latin
// into a Name: syllable keys with the leading honorifics and titles marked
// (U, Daw, Ko, Ma, Maung/Mg, Saya, Bo, Naw, Saw, Sai, Nang, Dr., and every
// military and police rank in Burmese and English). Name.Score pairs the
// syllables of two names, in any order, best pairs first, scores each pair
// by how alike its onset and rhyme classes are, and divides by the mean
// syllable count; it also tries each name with its honorifics put back, so
// a name that merely looks like a title (Bo Bo) still matches. MatchNames
// is the two steps in one. A prepared Score costs 70–150 ns and allocates
// nothing (7 to 13 million pairs a second on one core of the 2-core
// development machine, depending on its load; the budget is 200,000), so
// a duplicate search over 100,000 prepared names takes 7–15 ms.
//
// # Choosing MatchThreshold
//
// testdata/names holds a labelled set built for this: 120 people
// (variants.tsv; eight are the officials named in the mmgov news text, the
// rest common Myanmar names) with two to four spellings each — the
// Burmese form, often with an honorific or rank, and the usual Latin
// romanisations — plus a Zawgyi form of every Burmese form, made by the
// reverse rules. Every two spellings of one person form a true pair, every
// two spellings of different people a random pair. The classes and
// similarities were tuned on this set (three changes after looking at its
// misses: ရဲ is no title, "Ohmar" closes its syllable, ည် matches i and
// e). A second set of 40 people (heldout.tsv) was written afterwards and
// not tuned on. Measured (TestMatchThresholdSeparation, run with -v):
//
//	                          true pairs                random pairs
//	tuning set (120 people)   862, median 1.000,        132,005, median 0.000,
//	                          min 0.867                 p95 0.400, p99 0.500
//	held-out set (40 people)  274, median 1.000,        13,920, median 0.000,
//	                          min 0.867                 p95 0.333, p99 0.438
//	both (160 people)         1,136                     233,129
//
//	threshold  0.70    0.75    0.80    0.85    0.90    0.95
//	miss       0.00%   0.00%   0.00%   0.00%   0.70%   1.58%     (both sets)
//	false      0.176%  0.150%  0.148%  0.015%  0.015%  0.015%
//
// Random pairs pile up at exactly 0.8: a two-syllable name inside a
// three-syllable one (Win Naing, Zaw Win Naing), which are different names
// in Burmese naming. True variant pairs all score 0.867 or more, the lowest
// being three-syllable names with one syllable spelt with a neighbouring
// vowel (Mon/Mun for မွန်). MatchThreshold = 0.85 sits between the two: on
// the combined set it misses no true pair (0 of 1,136) and flags 0.015% of
// random pairs (36 of 233,129), all of them names with the same syllables:
// Po Po and Bo Bo (p and b are one onset class, since voicing changes in
// compounds), and Phyo Wai Aung and Wai Phyo Aung (order is ignored on
// purpose). At 100,000 stored names that is some fifteen candidates per
// search for a person to review. The set is small and hand-made, so treat
// the figures as a sanity check, not a guarantee; names outside the usual
// patterns (Kachin, Chin, Karen, Shan names, foreign spellings) are keyed
// letter by letter and match less well.
//
// # Searching many names
//
// Scoring a new name against every stored one costs about 180 ns a pair,
// too slow at a hundred thousand cases. NameIndex is an inverted index from
// syllable codes to names, with a bound derived from Score's definition
// (each query syllable adds at most its best similarity to the candidate's
// syllables): Match scores only the names that could reach the threshold
// and returns exactly what the full scan (Scan) returns. The proof is in
// NameIndex's documentation; tests and FuzzNameIndex compare the two.
//
// # Digits and NRC numbers
//
// ParseDigits reads Burmese or ASCII digits, BurmeseDigits writes Burmese
// ones. ParseNRC reads National Registration Card numbers in Latin or
// Burmese, Unicode or Zawgyi, with or without spaces, into an NRC whose
// Township is a normalised Latin code ("OUKAMA"); the township letters map
// through a table (nrc.go) in which letters that sound alike share a Latin
// syllable, so the Latin and Burmese forms of one card are equal.
//
// # Places
//
// Regions, Districts and Townships come from mmhan/nayyar's locations.csv
// (15 states and regions, 74 districts, 330 townships and 83
// sub-townships), looked up forgivingly by LookupRegion and LookupTownship.
// Region.Code is the data set's code and is what Embrace stores; for Bago
// (MMR111) and Shan (MMR222) it is a merged code MIMU does not have, and
// Region.MIMU lists MIMU's codes for the parts (see Region).
//
// # Ranks
//
// Ranks and LookupRank cover the army, navy, air force and police, with the
// coarse RankBand that statistics keep. The Burmese names are the best
// knowledge of the authors and should be checked by staff; Codes are stable.
//
// # Data and licences
//
// data/ holds the embedded reference data and testdata/ the fixtures, each
// with its licence beside it; the repository's NOTICE lists them. The code
// is Embrace's own.
package myanmar
