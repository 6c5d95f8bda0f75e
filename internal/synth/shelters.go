package synth

import "strconv"

// MonthlyStipendTHB is the stipend the network pays each defector in its
// care, in Thai baht a month.
const MonthlyStipendTHB = 1000

// Shelter is a safe house or camp of the demo data set. Names and addresses
// are invented and marked as such; no real safe house is described.
type Shelter struct {
	Code        string // short reference, e.g. "MST-03"
	Name        string // code name, e.g. "Padauk House"
	NameBurmese string
	Town        string // e.g. "Mae Sot"
	Area        string // e.g. "Tak Province, Thailand" or "liberated area, Kayin State"
	Country     string // ISO 3166-1 alpha-2: "TH" or "MM"
	Address     string // fictional
	Capacity    int    // beds; the Mae Sot houses hold about ten people each
}

// Shelters returns the demo shelters: eight shared houses in Mae Sot, the
// Thai border town most defectors pass through, and three camps in liberated
// areas of Kayin, Kayah and Sagaing. It returns a new slice on each call.
func Shelters() []Shelter {
	const maeSot, tak = "Mae Sot", "Tak Province, Thailand"
	house := func(n int, name, my string, capacity int) Shelter {
		return Shelter{
			Code:        "MST-0" + strconv.Itoa(n),
			Name:        name + " House",
			NameBurmese: my + "အိမ်",
			Town:        maeSot,
			Area:        tak,
			Country:     "TH",
			Address:     "House " + strconv.Itoa(n) + ", Example Soi " + strconv.Itoa(2+n%4) + ", Mae Sot (fictional)",
			Capacity:    capacity,
		}
	}
	return []Shelter{
		house(1, "Padauk", "ပိတောက်", 10),
		house(2, "Thazin", "သဇင်", 12),
		house(3, "Khayay", "ခရေ", 10),
		house(4, "Ngu", "ငု", 11),
		house(5, "Sabai", "စံပယ်", 10),
		house(6, "Gangaw", "ကံ့ကော်", 12),
		house(7, "Hninsi", "နှင်းဆီ", 10),
		house(8, "Sakar", "စကား", 10),
		{Code: "LA-KYN-1", Name: "Hill Camp", NameBurmese: "တောင်ပေါ်စခန်း", Town: "(undisclosed)", Area: "liberated area, Kayin State", Country: "MM", Address: "Grid ref. withheld (fictional)", Capacity: 25},
		{Code: "LA-KYH-1", Name: "River Camp", NameBurmese: "မြစ်ကမ်းစခန်း", Town: "(undisclosed)", Area: "liberated area, Kayah State", Country: "MM", Address: "Grid ref. withheld (fictional)", Capacity: 20},
		{Code: "LA-SGG-1", Name: "Forest Camp", NameBurmese: "တောစခန်း", Town: "(undisclosed)", Area: "liberated area, Sagaing Region", Country: "MM", Address: "Grid ref. withheld (fictional)", Capacity: 30},
	}
}
