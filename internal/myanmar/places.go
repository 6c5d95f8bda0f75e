package myanmar

import (
	_ "embed"
	"encoding/csv"
	"fmt"
	"slices"
	"strings"
)

//go:embed data/nayyar/locations.csv
var locationsCSV string

// Region is a state or region of Myanmar, or the Nay Pyi Taw union
// territory.
//
// Codes. Code is the place code of the embedded data set (mmhan/nayyar),
// and is what Embrace stores and publishes: it never changes. It is MIMU's
// pcode for 13 of the 15, but the data set merges Bago into MMR111 and Shan
// into MMR222, codes MIMU does not have (MIMU splits them into Bago East
// MMR007 and West MMR008, and Shan South MMR014, North MMR015 and East
// MMR016). MIMU lists the MIMU pcodes that make up the region, for joining
// with MIMU data; district and township codes are MIMU's own. ISO is the
// ISO 3166-2 code, stable across all sources.
type Region struct {
	Code    string   // "MMR013"; "MMR111" Bago, "MMR222" Shan
	ISO     string   // "MM-06"
	Alpha3  string   // "YGN"
	English string   // "Yangon"
	Burmese string   // "ရန်ကုန်"
	Kind    string   // "state", "region" or "union_territory"
	NRC     int      // the state number of NRC card numbers (1–14); 0 for Nay Pyi Taw
	MIMU    []string // MIMU pcodes covered: ["MMR013"]; ["MMR007", "MMR008"] for Bago
}

// District is a district of a region.
type District struct {
	Code    string // MIMU pcode, "MMR013D001"
	English string
	Burmese string
	Region  string // Region.Code
}

// Township is a township, or (when Parent is set) a sub-township or town
// listed under a township.
type Township struct {
	Code     string // MIMU pcode, "MMR013001"; sub-townships "MMR001001702"
	English  string
	Burmese  string
	District string // District.Code
	Region   string // Region.Code
	Parent   string // the township's Code for a sub-township; "" for a township
}

// places is the parsed gazetteer, built once and never changed.
type places struct {
	regions   []Region
	districts []District
	townships []Township
	regionKey map[string][]int // folded name → indexes into regions
	townKey   map[string][]int // folded name → indexes into townships
}

var gazetteer = mustParsePlaces(locationsCSV)

// regionExtra holds what the data set does not: kind, NRC number and the
// other names people use.
var regionExtra = map[string]struct {
	kind    string
	nrc     int
	aliases []string
}{
	"Kachin":      {"state", 1, nil},
	"Kayah":       {"state", 2, []string{"Karenni"}},
	"Kayin":       {"state", 3, []string{"Karen"}},
	"Chin":        {"state", 4, nil},
	"Sagaing":     {"region", 5, []string{"Sagain"}},
	"Tanintharyi": {"region", 6, []string{"Tenasserim", "Taninthayi"}},
	"Bago":        {"region", 7, []string{"Pegu"}},
	"Magway":      {"region", 8, []string{"Magwe", "Magwei"}},
	"Mandalay":    {"region", 9, []string{"မန္တလေး"}},
	"Mon":         {"state", 10, nil},
	"Rakhine":     {"state", 11, []string{"Arakan", "Rakhaing"}},
	"Yangon":      {"region", 12, []string{"Rangoon"}},
	"Shan":        {"state", 13, nil},
	"Ayeyarwady":  {"region", 14, []string{"Irrawaddy", "Ayeyarwaddy", "Ayeyawady"}},
	"Nay Pyi Taw": {"union_territory", 0, []string{"Naypyidaw", "Naypyitaw", "Nay Pyi Daw", "Naypyidaw Union Territory"}},
}

func mustParsePlaces(src string) *places {
	p, err := parsePlaces(src)
	if err != nil {
		panic("myanmar: embedded locations: " + err.Error())
	}
	return p
}

func parsePlaces(src string) (*places, error) {
	r := csv.NewReader(strings.NewReader(src))
	r.FieldsPerRecord = 11
	recs, err := r.ReadAll()
	if err != nil {
		return nil, err
	}
	p := &places{regionKey: map[string][]int{}, townKey: map[string][]int{}}
	regionAt := map[string]int{}
	districtSeen := map[string]bool{}
	townSeen := map[string]bool{}
	for _, f := range recs {
		for i := range f {
			f[i] = strings.TrimSpace(f[i])
		}
		iso, rcode, alpha3, ren, rmy, dcode, den, dmy, tcode, ten, tmy := f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8], f[9], f[10]
		ri, ok := regionAt[rcode]
		if !ok {
			extra, known := regionExtra[ren]
			if !known {
				return nil, fmt.Errorf("unknown region %q", ren)
			}
			ri = len(p.regions)
			regionAt[rcode] = ri
			p.regions = append(p.regions, Region{
				Code: rcode, ISO: iso, Alpha3: alpha3, English: ren, Burmese: rmy,
				Kind: extra.kind, NRC: extra.nrc,
			})
		}
		if dcode != "" && !districtSeen[dcode] {
			districtSeen[dcode] = true
			p.districts = append(p.districts, District{Code: dcode, English: den, Burmese: dmy, Region: rcode})
			if m := dcode[:6]; !slices.Contains(p.regions[ri].MIMU, m) {
				p.regions[ri].MIMU = append(p.regions[ri].MIMU, m)
			}
		}
		if tcode != "" && !townSeen[tcode] {
			townSeen[tcode] = true
			t := Township{Code: tcode, English: ten, Burmese: tmy, District: dcode, Region: rcode}
			if len(tcode) > 9 {
				t.Parent = tcode[:9]
			}
			p.townships = append(p.townships, t)
		}
	}
	for i := range p.regions {
		slices.Sort(p.regions[i].MIMU)
	}
	slices.SortFunc(p.regions, func(a, b Region) int { return strings.Compare(a.Code, b.Code) })
	for i, reg := range p.regions {
		names := []string{reg.English, reg.Burmese, reg.Code, reg.ISO, reg.Alpha3}
		names = append(names, reg.MIMU...)
		names = append(names, regionExtra[reg.English].aliases...)
		for _, n := range names {
			addKey(p.regionKey, regionKeyOf(n), i)
		}
	}
	for i, t := range p.townships {
		for _, n := range []string{t.English, t.Burmese, t.Code} {
			addKey(p.townKey, townKeyOf(n), i)
		}
		// "Waw Lay Myaing (Waw Lay)": the name in brackets is another name,
		// unless it only says which part ("Dagon Myothit (South)").
		for _, n := range []string{t.English, t.Burmese} {
			if a, b, ok := strings.Cut(n, "("); ok {
				b = strings.TrimSuffix(strings.TrimSpace(b), ")")
				if !slices.Contains(partNames, placeKey(b)) {
					addKey(p.townKey, townKeyOf(a), i)
					addKey(p.townKey, townKeyOf(b), i)
				}
			}
		}
	}
	return p, nil
}

// partNames are bracketed qualifiers that name a part of a place.
var partNames = []string{
	"north", "south", "east", "west", "seikkan",
	placeKey("မြောက်ပိုင်း"), placeKey("တောင်ပိုင်း"), placeKey("အရှေ့ပိုင်း"), placeKey("အနောက်ပိုင်း"), placeKey("ဆိပ်ကမ်း"),
}

func addKey(m map[string][]int, k string, i int) {
	if k != "" && !slices.Contains(m[k], i) {
		m[k] = append(m[k], i)
	}
}

// placeKey folds a place name: look-alikes, case, spaces and punctuation.
func placeKey(s string) string { return foldKey(s) }

var regionSuffixes = []string{
	"union territory", "territory", "division", "region", "state", "council",
	"တိုင်းဒေသကြီး", "ပြည်ထောင်စုနယ်မြေ", "ပြည်နယ်", "နယ်မြေ", "တိုင်း",
}

func regionKeyOf(s string) string {
	k := placeKey(s)
	for _, suf := range regionSuffixes {
		if rest, ok := strings.CutSuffix(k, placeKey(suf)); ok && rest != "" {
			return rest
		}
	}
	return k
}

var townSuffixes = []string{"township", "tsp", "town", "မြို့နယ်", "မြို့"}

func townKeyOf(s string) string {
	k := placeKey(s)
	for _, suf := range townSuffixes {
		if rest, ok := strings.CutSuffix(k, placeKey(suf)); ok && rest != "" {
			return rest
		}
	}
	return k
}

// Regions returns the 15 states, regions and union territory, ordered by
// Code. The slice is the caller's.
func Regions() []Region {
	out := slices.Clone(gazetteer.regions)
	for i := range out {
		out[i].MIMU = slices.Clone(out[i].MIMU)
	}
	return out
}

// Districts returns every district, in the data set's order.
func Districts() []District { return slices.Clone(gazetteer.districts) }

// Townships returns every township and sub-township, in the data set's
// order (330 townships and 83 sub-townships and towns).
func Townships() []Township { return slices.Clone(gazetteer.townships) }

// RegionByCode returns the region with the given Code, ISO code or MIMU
// pcode (so MMR007 finds Bago).
func RegionByCode(code string) (Region, bool) {
	c := strings.ToUpper(strings.TrimSpace(code))
	for _, r := range gazetteer.regions {
		if r.Code == c || r.ISO == c || slices.Contains(r.MIMU, c) {
			return cloneRegion(r), true
		}
	}
	return Region{}, false
}

// RegionForNRC returns the region whose NRC state number is n.
func RegionForNRC(n int) (Region, bool) {
	for _, r := range gazetteer.regions {
		if r.NRC == n && n != 0 {
			return cloneRegion(r), true
		}
	}
	return Region{}, false
}

func cloneRegion(r Region) Region {
	r.MIMU = slices.Clone(r.MIMU)
	return r
}

// LookupRegion finds a state or region by its English or Burmese name, an
// older name (Rangoon, Pegu, Arakan, …), its Code, ISO or alpha-3 code. It
// forgives case, spaces, punctuation, a "Region", "State", "Division" or
// "တိုင်းဒေသကြီး"/"ပြည်နယ်" suffix, Zawgyi, and small misspellings (one
// edit in names up to 5 letters, two in longer ones) when only one region
// is that close.
func LookupRegion(name string) (Region, bool) {
	i, ok := lookupPlace(name, gazetteer.regionKey, regionKeyOf, nil, nil)
	if !ok {
		return Region{}, false
	}
	return cloneRegion(gazetteer.regions[i]), true
}

// LookupTownship finds a township by its English or Burmese name or its
// pcode, forgiving in the same ways as LookupRegion ("Township",
// "မြို့နယ်" suffixes). Some names belong to more than one township
// (Htantabin, Minhla): qualify them with the region, as "Minhla, Magway" or
// "Minhla (Bago)", or use LookupTownshipIn; an unqualified ambiguous name
// is not found. A township wins over a sub-township of the same name.
func LookupTownship(name string) (Township, bool) {
	if t, ok := lookupTownship(name, ""); ok {
		return t, true
	}
	// "name, region" or "name (region)"
	for _, sep := range []string{",", "("} {
		i := strings.LastIndex(name, sep)
		if i <= 0 {
			continue
		}
		reg, ok := LookupRegion(strings.TrimSuffix(strings.TrimSpace(name[i+1:]), ")"))
		if !ok {
			continue
		}
		if t, ok := lookupTownship(name[:i], reg.Code); ok {
			return t, true
		}
	}
	return Township{}, false
}

// LookupTownshipIn is LookupTownship restricted to one region.
func LookupTownshipIn(r Region, name string) (Township, bool) {
	return lookupTownship(name, r.Code)
}

func lookupTownship(name, region string) (Township, bool) {
	var filter func(int) bool
	if region != "" {
		filter = func(i int) bool { return gazetteer.townships[i].Region == region }
	}
	i, ok := lookupPlace(name, gazetteer.townKey, townKeyOf, filter, preferTownship)
	if !ok {
		return Township{}, false
	}
	return gazetteer.townships[i], true
}

// preferTownship breaks a tie between entries with the same name: a single
// real township wins over sub-townships.
func preferTownship(ids []int) (int, bool) {
	found, n := 0, 0
	for _, i := range ids {
		if gazetteer.townships[i].Parent == "" {
			found, n = i, n+1
		}
	}
	return found, n == 1
}

// lookupPlace finds the one entry whose key is closest to name's. keep, if
// set, filters entries; tie, if set, chooses among several.
func lookupPlace(name string, index map[string][]int, keyOf func(string) string, keep func(int) bool, tie func([]int) (int, bool)) (int, bool) {
	t, err := Clean(name)
	if err != nil {
		return 0, false
	}
	cands := []string{keyOf(t.Value)}
	if !t.Converted {
		// Short Zawgyi names can fall under the detector's threshold: try
		// the converted reading as well.
		if z := keyOf(ZawgyiToUnicode(t.Value)); z != cands[0] {
			cands = append(cands, z)
		}
	}
	pick := func(ids []int) (int, bool) {
		var kept []int
		for _, i := range ids {
			if keep == nil || keep(i) {
				kept = append(kept, i)
			}
		}
		switch {
		case len(kept) == 1:
			return kept[0], true
		case len(kept) > 1 && tie != nil:
			return tie(kept)
		}
		return 0, false
	}
	for _, k := range cands {
		if k == "" {
			continue
		}
		if ids, ok := index[k]; ok {
			return pick(ids)
		}
	}
	// Misspellings: the unique closest key within the allowed distance.
	for _, k := range cands {
		rk := []rune(k)
		if len(rk) < 3 {
			continue
		}
		limit := 1
		if len(rk) > 5 {
			limit = 2
		}
		bestD := limit + 1
		var best []int
		for key, ids := range index {
			d := editDistance(rk, []rune(key), limit)
			if d > limit {
				continue
			}
			var kept []int
			for _, i := range ids {
				if keep == nil || keep(i) {
					kept = append(kept, i)
				}
			}
			if len(kept) == 0 {
				continue
			}
			switch {
			case d < bestD:
				bestD, best = d, kept
			case d == bestD:
				for _, i := range kept {
					if !slices.Contains(best, i) {
						best = append(best, i)
					}
				}
			}
		}
		if len(best) > 0 {
			return pick(best)
		}
	}
	return 0, false
}
