package synth

// RankKey names a rank within a service: English titles repeat across
// services for different grades (a navy Lieutenant is an army Captain's
// grade), so a rank is only meaningful with its service.
type RankKey struct {
	Service string
	Rank    string // RankEnglish
}

// Stats is the distribution of a data set, counted over its records
// (repeat contacts included: each is a record the network receives).
type Stats struct {
	Total     int
	ByService map[string]int  // by Service
	ByRank    map[RankKey]int // by Service and RankEnglish
	ByBand    map[string]int  // by RankBand
	ByRegion  map[string]int  // by RegionEnglish
	ByMonth   map[string]int  // by month of Contacted, "2006-01"
	ByChannel map[string]int  // by Channel

	WithArms        int
	WithVehicle     int
	Female          int
	Duplicates      int // records that are repeat contacts
	Relatives       int // family members declared
	RelativesInside int // of which still inside
	Burmese         int // first messages in Burmese
}

// Military returns the number of soldiers, sailors and airmen.
func (s Stats) Military() int { return s.Total - s.ByService[ServicePolice] }

// Summary generates the data set of total records for seed and returns its
// distribution.
func Summary(seed uint64, total int) Stats {
	return New(seed, total).Summary()
}

// Summary generates every record of g and returns their distribution.
func (g *Generator) Summary() Stats {
	s := Stats{
		ByService: map[string]int{},
		ByRank:    map[RankKey]int{},
		ByBand:    map[string]int{},
		ByRegion:  map[string]int{},
		ByMonth:   map[string]int{},
		ByChannel: map[string]int{},
	}
	for _, d := range g.All() {
		s.add(&d)
	}
	return s
}

func (s *Stats) add(d *Defector) {
	s.Total++
	s.ByService[d.Service]++
	s.ByRank[RankKey{d.Service, d.RankEnglish}]++
	s.ByBand[d.RankBand]++
	s.ByRegion[d.RegionEnglish]++
	s.ByMonth[d.Contacted.Format("2006-01")]++
	s.ByChannel[d.Channel]++
	if d.WithArms {
		s.WithArms++
	}
	if d.WithVehicle {
		s.WithVehicle++
	}
	if d.Sex == SexFemale {
		s.Female++
	}
	if d.IsDuplicate() {
		s.Duplicates++
	}
	if d.MessageLanguage == "my" {
		s.Burmese++
	}
	s.Relatives += len(d.Family)
	for _, rel := range d.Family {
		if rel.StillInside {
			s.RelativesInside++
		}
	}
}
