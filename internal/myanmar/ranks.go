package myanmar

import (
	"slices"
	"strings"
)

// Service is a branch of the armed forces or the police.
type Service string

// The services a defector can come from.
const (
	Army     Service = "army"
	Navy     Service = "navy"
	AirForce Service = "air_force"
	Police   Service = "police"
)

// Services lists every Service, in a fixed order.
func Services() []Service { return []Service{Army, Navy, AirForce, Police} }

// RankBand is the coarse grouping of ranks that statistics use (green data:
// a rank band does not identify a person, a rank may).
type RankBand string

// The rank bands, from the lowest.
const (
	Enlisted       RankBand = "enlisted"
	NCO            RankBand = "nco"
	JuniorOfficer  RankBand = "junior_officer"
	FieldOfficer   RankBand = "field_officer"
	GeneralOfficer RankBand = "general_officer"
)

// RankBands lists every RankBand from the lowest to the highest.
func RankBands() []RankBand {
	return []RankBand{Enlisted, NCO, JuniorOfficer, FieldOfficer, GeneralOfficer}
}

// Rank is one rank of one service.
type Rank struct {
	Service Service
	// Code is a short stable ASCII identifier, unique within the service
	// (for example "CAPT", "LTCOL", "PMAJ").
	Code string
	// English and Burmese are the usual names.
	English, Burmese string
	Band             RankBand
	// Order is the seniority within the service, 1 for the lowest.
	Order int
}

// rankDef lists a rank with the other names it goes by.
type rankDef struct {
	code, english, burmese string
	band                   RankBand
	aliases                []string // English abbreviations and other names, Burmese variants
}

// The rank tables. The Burmese names are the Tatmadaw's and the Myanmar
// Police Force's as best we know them; the navy and air force use the
// army's Burmese titles with their own English equivalents. The police
// ranks were renamed on the army's pattern (Police Captain for the former
// Inspector, and so on); both English names are accepted. Staff who know
// better should correct these tables: Code values must stay stable.
var rankTables = map[Service][]rankDef{
	Army: {
		{"PVT", "Private", "တပ်သား", Enlisted, []string{"Pte", "Pvt", "Soldier", "ရဲဘော်"}},
		{"LCPL", "Lance Corporal", "ဒုတပ်ကြပ်", NCO, []string{"L/Cpl", "LCpl", "Lance Cpl"}},
		{"CPL", "Corporal", "တပ်ကြပ်", NCO, []string{"Cpl"}},
		{"SGT", "Sergeant", "တပ်ကြပ်ကြီး", NCO, []string{"Sgt", "Sergent"}},
		{"WO2", "Warrant Officer Class II", "ဒုအရာခံဗိုလ်", NCO, []string{"WO II", "WO2", "Warrant Officer 2", "Staff Sergeant", "Deputy Warrant Officer"}},
		{"WO1", "Warrant Officer Class I", "အရာခံဗိုလ်", NCO, []string{"WO I", "WO1", "Warrant Officer 1", "Warrant Officer"}},
		{"2LT", "Second Lieutenant", "ဒုဗိုလ်", JuniorOfficer, []string{"2Lt", "2/Lt", "2nd Lt", "2nd Lieutenant", "Sub Lieutenant"}},
		{"LT", "Lieutenant", "ဗိုလ်", JuniorOfficer, []string{"Lt", "Lieut", "1st Lieutenant", "First Lieutenant"}},
		{"CAPT", "Captain", "ဗိုလ်ကြီး", JuniorOfficer, []string{"Capt", "Cpt"}},
		{"MAJ", "Major", "ဗိုလ်မှူး", FieldOfficer, []string{"Maj"}},
		{"LTCOL", "Lieutenant Colonel", "ဒုဗိုလ်မှူးကြီး", FieldOfficer, []string{"Lt Col", "Lt-Col", "LTC", "Lieut Colonel"}},
		{"COL", "Colonel", "ဗိုလ်မှူးကြီး", FieldOfficer, []string{"Col"}},
		{"BRIG", "Brigadier General", "ဗိုလ်မှူးချုပ်", GeneralOfficer, []string{"Brig Gen", "Brigadier", "Brig"}},
		{"MAJGEN", "Major General", "ဗိုလ်ချုပ်", GeneralOfficer, []string{"Maj Gen", "MG"}},
		{"LTGEN", "Lieutenant General", "ဒုတိယဗိုလ်ချုပ်ကြီး", GeneralOfficer, []string{"Lt Gen", "Lt-Gen"}},
		{"GEN", "General", "ဗိုလ်ချုပ်ကြီး", GeneralOfficer, []string{"Gen"}},
		{"VSNRGEN", "Vice-Senior General", "ဒုတိယဗိုလ်ချုပ်မှူးကြီး", GeneralOfficer, []string{"Vice Senior General", "Vice Snr Gen", "Vice Sr Gen"}},
		{"SNRGEN", "Senior General", "ဗိုလ်ချုပ်မှူးကြီး", GeneralOfficer, []string{"Snr Gen", "Sr Gen", "Senior Gen"}},
	},
	Navy: {
		{"SMN", "Seaman", "ရေတပ်သား", Enlisted, []string{"Able Seaman", "AB", "Sailor", "တပ်သား"}},
		{"LS", "Leading Seaman", "ဒုတပ်ကြပ်", NCO, []string{"LS", "Leading Rate"}},
		{"PO", "Petty Officer", "တပ်ကြပ်", NCO, []string{"PO"}},
		{"CPO", "Chief Petty Officer", "တပ်ကြပ်ကြီး", NCO, []string{"CPO"}},
		{"WO2", "Warrant Officer Class II", "ဒုအရာခံဗိုလ်", NCO, []string{"WO II", "WO2"}},
		{"WO1", "Warrant Officer Class I", "အရာခံဗိုလ်", NCO, []string{"WO I", "WO1", "Warrant Officer"}},
		{"ASLT", "Acting Sub-Lieutenant", "ဒုဗိုလ်", JuniorOfficer, []string{"Midshipman", "A/Sub-Lt"}},
		{"SLT", "Sub-Lieutenant", "ဗိုလ်", JuniorOfficer, []string{"Sub Lt", "SLt", "Sub Lieutenant"}},
		{"LT", "Lieutenant", "ဗိုလ်ကြီး", JuniorOfficer, []string{"Lt", "Lieut"}},
		{"LTCDR", "Lieutenant Commander", "ဗိုလ်မှူး", FieldOfficer, []string{"Lt Cdr", "Lt-Cdr", "LCDR"}},
		{"CDR", "Commander", "ဒုဗိုလ်မှူးကြီး", FieldOfficer, []string{"Cdr"}},
		{"CAPT", "Captain", "ဗိုလ်မှူးကြီး", FieldOfficer, []string{"Capt", "Naval Captain"}},
		{"CDRE", "Commodore", "ဗိုလ်မှူးချုပ်", GeneralOfficer, []string{"Cdre"}},
		{"RADM", "Rear Admiral", "ဗိုလ်ချုပ်", GeneralOfficer, []string{"Rear Adm", "RAdm"}},
		{"VADM", "Vice Admiral", "ဒုတိယဗိုလ်ချုပ်ကြီး", GeneralOfficer, []string{"Vice Adm", "VAdm"}},
		{"ADM", "Admiral", "ဗိုလ်ချုပ်ကြီး", GeneralOfficer, []string{"Adm"}},
	},
	AirForce: {
		{"AC", "Aircraftman", "လေတပ်သား", Enlisted, []string{"Airman", "AC", "တပ်သား"}},
		{"LAC", "Leading Aircraftman", "ဒုတပ်ကြပ်", NCO, []string{"LAC"}},
		{"CPL", "Corporal", "တပ်ကြပ်", NCO, []string{"Cpl"}},
		{"SGT", "Sergeant", "တပ်ကြပ်ကြီး", NCO, []string{"Sgt", "Flight Sergeant"}},
		{"WO2", "Warrant Officer Class II", "ဒုအရာခံဗိုလ်", NCO, []string{"WO II", "WO2"}},
		{"WO1", "Warrant Officer Class I", "အရာခံဗိုလ်", NCO, []string{"WO I", "WO1", "Warrant Officer"}},
		{"PLTOFF", "Pilot Officer", "ဒုဗိုလ်", JuniorOfficer, []string{"Plt Off", "PO"}},
		{"FGOFF", "Flying Officer", "ဗိုလ်", JuniorOfficer, []string{"Fg Off", "FO"}},
		{"FLTLT", "Flight Lieutenant", "ဗိုလ်ကြီး", JuniorOfficer, []string{"Flt Lt", "Flight Lt"}},
		{"SQNLDR", "Squadron Leader", "ဗိုလ်မှူး", FieldOfficer, []string{"Sqn Ldr"}},
		{"WGCDR", "Wing Commander", "ဒုဗိုလ်မှူးကြီး", FieldOfficer, []string{"Wg Cdr"}},
		{"GPCAPT", "Group Captain", "ဗိုလ်မှူးကြီး", FieldOfficer, []string{"Gp Capt"}},
		{"AIRCDRE", "Air Commodore", "ဗိုလ်မှူးချုပ်", GeneralOfficer, []string{"Air Cdre"}},
		{"AVM", "Air Vice-Marshal", "ဗိုလ်ချုပ်", GeneralOfficer, []string{"Air Vice Marshal", "AVM"}},
		{"AIRMSHL", "Air Marshal", "ဒုတိယဗိုလ်ချုပ်ကြီး", GeneralOfficer, []string{"Air Mshl"}},
		{"ACM", "Air Chief Marshal", "ဗိုလ်ချုပ်ကြီး", GeneralOfficer, []string{"ACM", "Air Chief Mshl"}},
	},
	Police: {
		{"PPVT", "Police Private", "ရဲတပ်သား", Enlisted, []string{"Police Constable", "Constable", "PC", "Pol Pvt", "ရဲသား"}},
		{"PLCPL", "Police Lance Corporal", "ဒုရဲတပ်ကြပ်", NCO, []string{"Pol L/Cpl", "Police L/Cpl", "Police Head Constable"}},
		{"PCPL", "Police Corporal", "ရဲတပ်ကြပ်", NCO, []string{"Pol Cpl", "Police Cpl"}},
		{"PSGT", "Police Sergeant", "ရဲတပ်ကြပ်ကြီး", NCO, []string{"Pol Sgt", "Police Sgt"}},
		{"PWO", "Police Warrant Officer", "ရဲအရာခံ", NCO, []string{"Pol WO", "Police WO", "ရဲအရာခံဗိုလ်"}},
		{"PLT", "Police Lieutenant", "ဒုရဲအုပ်", JuniorOfficer, []string{"Police Sub-Inspector", "Sub-Inspector", "Pol Lt", "SI", "ရဲဒုအုပ်"}},
		{"PCAPT", "Police Captain", "ရဲအုပ်", JuniorOfficer, []string{"Police Inspector", "Inspector", "Pol Capt", "Police Capt"}},
		{"PMAJ", "Police Major", "ရဲမှူး", FieldOfficer, []string{"Pol Maj", "Police Maj", "Deputy Superintendent"}},
		{"PLTCOL", "Police Lieutenant Colonel", "ဒုရဲမှူးကြီး", FieldOfficer, []string{"Pol Lt Col", "Police Lt Col", "Superintendent"}},
		{"PCOL", "Police Colonel", "ရဲမှူးကြီး", FieldOfficer, []string{"Pol Col", "Police Col", "Senior Superintendent"}},
		{"PBRIG", "Police Brigadier General", "ရဲမှူးချုပ်", GeneralOfficer, []string{"Pol Brig Gen", "Police Brig Gen", "Commander of Police"}},
		{"PMAJGEN", "Police Major General", "ဒုရဲချုပ်", GeneralOfficer, []string{"Pol Maj Gen", "Police Maj Gen", "Deputy Chief of Police"}},
		{"PLTGEN", "Police Lieutenant General", "ရဲချုပ်", GeneralOfficer, []string{"Pol Lt Gen", "Police Lt Gen", "Chief of Police"}},
	},
}

// rankIndex maps a folded name, code or alias to a rank, per service.
type rankIndex struct {
	ranks []Rank
	keys  map[string]int // key → index in ranks
}

var rankIndexes = buildRankIndexes()

func buildRankIndexes() map[Service]*rankIndex {
	out := map[Service]*rankIndex{}
	for svc, defs := range rankTables {
		ix := &rankIndex{keys: map[string]int{}}
		for i, d := range defs {
			ix.ranks = append(ix.ranks, Rank{Service: svc, Code: d.code, English: d.english, Burmese: d.burmese, Band: d.band, Order: i + 1})
			for _, n := range append([]string{d.code, d.english, d.burmese}, d.aliases...) {
				k := rankKey(n)
				if _, dup := ix.keys[k]; !dup && k != "" {
					ix.keys[k] = i
				}
			}
		}
		out[svc] = ix
	}
	return out
}

// rankKey folds a rank name for lookup: look-alikes folded, lower case,
// "pol." expanded, spaces and punctuation dropped.
func rankKey(s string) string {
	f := FoldForMatch(s)
	f = strings.NewReplacer("pol.", "police ", "pol ", "police ").Replace(f + " ")
	var b strings.Builder
	for _, r := range f {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || isMyanmarRune(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Ranks returns the ranks of a service from the lowest to the highest, or
// nil for an unknown service. The slice is the caller's to keep.
func Ranks(s Service) []Rank {
	ix, ok := rankIndexes[s]
	if !ok {
		return nil
	}
	return slices.Clone(ix.ranks)
}

// LookupRank finds a rank of service s by its English or Burmese name, an
// abbreviation or its Code. It forgives case, spacing and punctuation
// ("Lt-Col", "lt col"), Zawgyi, a service prefix (ရေတပ်, လေတပ်, Navy,
// Air Force, Army; Police may be left out of a police rank: "Major"), and
// one wrong, missing, extra or swapped letter in names of six letters or
// more, when only one rank is that close.
func LookupRank(s Service, name string) (Rank, bool) {
	ix, ok := rankIndexes[s]
	if !ok {
		return Rank{}, false
	}
	t, err := Clean(name)
	if err != nil {
		return Rank{}, false
	}
	k := rankKey(t.Value)
	if k == "" {
		return Rank{}, false
	}
	cands := []string{k}
	for _, p := range []string{"တပ်မတော်", "ကြည်းတပ်", "ရေတပ်", "လေတပ်", "ရဲတပ်ဖွဲ့", "myanmar", "army", "navy", "naval", "airforce", "air", "tatmadaw"} {
		if rest, found := strings.CutPrefix(k, rankKey(p)); found && rest != "" {
			cands = append(cands, rest)
		}
	}
	if s == Police {
		for _, c := range slices.Clone(cands) {
			if !strings.HasPrefix(c, "police") && !strings.HasPrefix(c, "ရဲ") {
				cands = append(cands, "police"+c)
			}
		}
	}
	for _, c := range cands {
		if i, ok := ix.keys[c]; ok {
			return ix.ranks[i], true
		}
	}
	// One edit away, when that is unambiguous.
	best, bestKey := -1, ""
	for _, c := range cands {
		if len([]rune(c)) < 6 {
			continue
		}
		for key, i := range ix.keys {
			if len([]rune(key)) < 6 || !withinOneEdit(c, key) {
				continue
			}
			if best >= 0 && best != i {
				return Rank{}, false
			}
			if best < 0 || key < bestKey {
				best, bestKey = i, key
			}
		}
	}
	if best >= 0 {
		return ix.ranks[best], true
	}
	return Rank{}, false
}

// withinOneEdit reports whether a and b differ by at most one inserted,
// deleted or substituted code point.
func withinOneEdit(a, b string) bool {
	return editDistance([]rune(a), []rune(b), 1) <= 1
}

// editDistance is the number of inserted, deleted or substituted code
// points, or swaps of two neighbours, that turn a into b (optimal string
// alignment distance), computed only up to limit: any larger distance is
// reported as limit+1.
func editDistance(a, b []rune, limit int) int {
	if d := len(a) - len(b); d > limit || -d > limit {
		return limit + 1
	}
	prev2 := make([]int, len(b)+1) // row i-2
	prev := make([]int, len(b)+1)  // row i-1
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
			rowMin = min(rowMin, cur[j])
		}
		if rowMin > limit {
			return limit + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return min(prev[len(b)], limit+1)
}
