package synth

// Services, as stored in the green tier and in Defector.Service.
const (
	ServiceArmy     = "army"
	ServiceNavy     = "navy"
	ServiceAirForce = "air_force"
	ServicePolice   = "police"
)

// Rank bands, as stored in the green tier and in Defector.RankBand.
// BandGeneral exists for completeness: the generator never produces it,
// because no general is publicly known to have defected.
const (
	BandEnlisted      = "enlisted"
	BandNCO           = "nco"
	BandJuniorOfficer = "junior_officer"
	BandFieldOfficer  = "field_officer"
	BandGeneral       = "general_officer"
)

// rank is one cell of the service × rank quota table.
//
// The Burmese titles are the same in all three armed services (the Tatmadaw
// uses one rank system and translates it differently per branch); the
// English titles follow each branch's Commonwealth-style usage, so a navy
// Lieutenant is the same grade (ဗိုလ်ကြီး) as an army Captain.
type rank struct {
	service string
	english string
	burmese string
	band    string
	// per10k is the number of records of this rank in a 10,000-record set.
	per10k int
	// rare ranks are individuals, not a share: per10k is also the count for
	// any larger total, and smaller totals scale it down but keep at least
	// one from 1,000 records up.
	rare           bool
	minAge, maxAge int
}

func (r *rank) officer() bool {
	return r.band == BandJuniorOfficer || r.band == BandFieldOfficer || r.band == BandGeneral
}

// rankTable is the quota table behind the service and rank split: 3,000
// soldiers (2,700 army, 150 navy, 150 air force) and 7,000 police per 10,000,
// mostly privates, constables and NCOs, 130 army captains, exactly three
// lieutenant colonels and a handful of police majors (the highest police rank
// among the defectors). Read-only.
var rankTable = []rank{
	{ServiceArmy, "Private", "တပ်သား", BandEnlisted, 1090, false, 18, 32},
	{ServiceArmy, "Lance Corporal", "ဒုတပ်ကြပ်", BandNCO, 420, false, 20, 38},
	{ServiceArmy, "Corporal", "တပ်ကြပ်", BandNCO, 380, false, 22, 42},
	{ServiceArmy, "Sergeant", "တပ်ကြပ်ကြီး", BandNCO, 300, false, 25, 48},
	{ServiceArmy, "Warrant Officer Class 2", "ဒုအရာခံဗိုလ်", BandNCO, 110, false, 30, 52},
	{ServiceArmy, "Warrant Officer Class 1", "အရာခံဗိုလ်", BandNCO, 60, false, 34, 55},
	{ServiceArmy, "Second Lieutenant", "ဒုဗိုလ်", BandJuniorOfficer, 60, false, 21, 30},
	{ServiceArmy, "Lieutenant", "ဗိုလ်", BandJuniorOfficer, 90, false, 23, 33},
	{ServiceArmy, "Captain", "ဗိုလ်ကြီး", BandJuniorOfficer, 130, false, 26, 40},
	{ServiceArmy, "Major", "ဗိုလ်မှူး", BandFieldOfficer, 57, false, 32, 46},
	{ServiceArmy, "Lieutenant Colonel", "ဒုဗိုလ်မှူးကြီး", BandFieldOfficer, 3, true, 38, 52},

	{ServiceNavy, "Able Seaman", "တပ်သား", BandEnlisted, 80, false, 18, 32},
	{ServiceNavy, "Leading Seaman", "တပ်ကြပ်", BandNCO, 30, false, 22, 40},
	{ServiceNavy, "Petty Officer", "တပ်ကြပ်ကြီး", BandNCO, 25, false, 25, 48},
	{ServiceNavy, "Warrant Officer Class 2", "ဒုအရာခံဗိုလ်", BandNCO, 5, false, 30, 52},
	{ServiceNavy, "Warrant Officer Class 1", "အရာခံဗိုလ်", BandNCO, 3, false, 34, 55},
	{ServiceNavy, "Sub-Lieutenant", "ဗိုလ်", BandJuniorOfficer, 3, false, 22, 32},
	{ServiceNavy, "Lieutenant", "ဗိုလ်ကြီး", BandJuniorOfficer, 3, false, 26, 40},
	{ServiceNavy, "Lieutenant Commander", "ဗိုလ်မှူး", BandFieldOfficer, 1, false, 32, 46},

	{ServiceAirForce, "Aircraftman", "တပ်သား", BandEnlisted, 66, false, 18, 32},
	{ServiceAirForce, "Leading Aircraftman", "ဒုတပ်ကြပ်", BandNCO, 28, false, 20, 38},
	{ServiceAirForce, "Corporal", "တပ်ကြပ်", BandNCO, 22, false, 22, 42},
	{ServiceAirForce, "Sergeant", "တပ်ကြပ်ကြီး", BandNCO, 15, false, 25, 48},
	{ServiceAirForce, "Warrant Officer Class 2", "ဒုအရာခံဗိုလ်", BandNCO, 5, false, 30, 52},
	{ServiceAirForce, "Warrant Officer Class 1", "အရာခံဗိုလ်", BandNCO, 3, false, 34, 55},
	{ServiceAirForce, "Pilot Officer", "ဒုဗိုလ်", BandJuniorOfficer, 3, false, 21, 30},
	{ServiceAirForce, "Flying Officer", "ဗိုလ်", BandJuniorOfficer, 4, false, 23, 33},
	{ServiceAirForce, "Flight Lieutenant", "ဗိုလ်ကြီး", BandJuniorOfficer, 3, false, 26, 40},
	{ServiceAirForce, "Squadron Leader", "ဗိုလ်မှူး", BandFieldOfficer, 1, false, 32, 46},

	// Myanmar Police Force ladder. ဒုရဲအုပ် is also rendered "Police
	// Sub-Inspector" and ရဲအုပ် "Police Inspector" in older English texts.
	{ServicePolice, "Police Constable", "ရဲတပ်သား", BandEnlisted, 3900, false, 18, 35},
	{ServicePolice, "Police Lance Corporal", "ဒုရဲတပ်ကြပ်", BandNCO, 1200, false, 21, 40},
	{ServicePolice, "Police Corporal", "ရဲတပ်ကြပ်", BandNCO, 900, false, 23, 45},
	{ServicePolice, "Police Sergeant", "ရဲတပ်ကြပ်ကြီး", BandNCO, 600, false, 26, 50},
	{ServicePolice, "Police Second Lieutenant", "ဒုရဲအုပ်", BandJuniorOfficer, 230, false, 24, 48},
	{ServicePolice, "Police Lieutenant", "ရဲအုပ်", BandJuniorOfficer, 120, false, 28, 50},
	{ServicePolice, "Police Captain", "ဒုရဲမှူး", BandJuniorOfficer, 45, false, 32, 52},
	{ServicePolice, "Police Major", "ရဲမှူး", BandFieldOfficer, 5, true, 38, 55},
}

// rankCounts apportions total records over rankTable: rare ranks get their
// fixed count, everything else is shared out in proportion to per10k by the
// largest-remainder method, so the counts always add up to total.
func rankCounts(total int) []int {
	counts := make([]int, len(rankTable))
	weights := make([]int, len(rankTable))
	rest := total
	for k := range rankTable {
		rk := &rankTable[k]
		if !rk.rare {
			weights[k] = rk.per10k
			continue
		}
		c := rk.per10k
		if total < 10000 {
			c = (rk.per10k*total + 5000) / 10000
			if c == 0 && total >= 1000 {
				c = 1
			}
		}
		if c > rest {
			c = rest
		}
		counts[k] = c
		rest -= c
	}
	for k, c := range apportion(rest, weights) {
		counts[k] += c
	}
	return counts
}
