package synth

import (
	_ "embed"
	"encoding/csv"
	"fmt"
	"io"
	"strings"
)

// placesCSV holds the 15 states and regions and their townships (see the
// header of the file and LICENSE-nayyar.txt beside it).
//
//go:embed data/places.csv
var placesCSV string

type township struct {
	code, english, burmese string
}

type region struct {
	code, english, burmese string
	townships              []township
	// weight is the region's share of records per 10,000.
	weight int
	// nrc is the NRC state number and the township codes drawn for people
	// registered in this region.
	nrcState int
	nrc      []nrcTownship
}

// regionWeight is each state's or region's share of records per 10,000:
// the populous Bamar heartland regions (Yangon, Mandalay, Sagaing, Magway,
// Bago, Ayeyarwady), where most police stations and garrisons are, supply
// most defectors; every state and region supplies some.
var regionWeight = map[string]int{
	"Yangon":      1800,
	"Mandalay":    1400,
	"Sagaing":     1300,
	"Magway":      1050,
	"Bago":        1050,
	"Ayeyarwady":  1050,
	"Shan":        700,
	"Mon":         400,
	"Kayin":       300,
	"Kachin":      300,
	"Tanintharyi": 200,
	"Rakhine":     150,
	"Nay Pyi Taw": 150,
	"Chin":        100,
	"Kayah":       50,
}

// nrcTownship is a township code of the National Registration Card, in its
// Latin and Burmese forms: 12/OuKaMa(N)123456 is ၁၂/ဥကမ(နိုင်)၁၂၃၄၅၆. The
// codes below are a realistic sample, not the official list; township names
// the card is tied to are spelled as in places.csv.
type nrcTownship struct {
	latin, burmese, township string
}

// nrcCodes maps RegionEnglish to its NRC state number and a sample of codes.
// Nay Pyi Taw's townships were carved out of Mandalay Region and still use 9.
var nrcCodes = map[string]struct {
	state int
	codes []nrcTownship
}{
	"Kachin": {1, []nrcTownship{
		{"MaKaNa", "မကန", "Myitkyina"}, {"WaMaNa", "ဝမန", "Waingmaw"}, {"BaMaNa", "ဗမန", "Bhamo"},
		{"PhaKaNa", "ဖကန", "Hpakant"}, {"MaNyaNa", "မညန", "Mohnyin"}, {"PaTaAh", "ပတအ", "Puta-O"},
		{"MaMaNa", "မမန", "Momauk"},
	}},
	"Kayah": {2, []nrcTownship{
		{"LaKaNa", "လကန", "Loikaw"}, {"DaMaSa", "ဒမဆ", "Demoso"}, {"PhaSaNa", "ဖဆန", "Hpasawng"},
		{"BaLaKha", "ဘလခ", "Bawlakhe"}, {"ShaSaNa", "ရှဆန", "Shadaw"}, {"MaSaNa", "မစန", "Mese"},
	}},
	"Kayin": {3, []nrcTownship{
		{"BaAhNa", "ဘအန", "Hpa-An"}, {"MaWaTa", "မဝတ", "Myawaddy"}, {"KaKaYa", "ကကရ", "Kawkareik"},
		{"LaBaNa", "လဘန", "Hlaingbwe"}, {"KaSaKa", "ကဆက", "Kyainseikgyi"}, {"PhaPaNa", "ဖပန", "Hpapun"},
		{"ThaTaNa", "သတန", "Thandaunggyi"},
	}},
	"Chin": {4, []nrcTownship{
		{"HaKhaNa", "ဟခန", "Hakha"}, {"PhaLaNa", "ဖလန", "Falam"}, {"TaTaNa", "တတန", "Tedim"},
		{"MaTaNa", "မတန", "Mindat"}, {"KaPaLa", "ကပလ", "Kanpetlet"}, {"TaZaNa", "တဇန", "Tonzang"},
		{"PaLaWa", "ပလဝ", "Paletwa"},
	}},
	"Sagaing": {5, []nrcTownship{
		{"SaKaNa", "စကန", "Sagaing"}, {"MaYaNa", "မရန", "Monywa"}, {"KaLaNa", "ကလန", "Kale"},
		{"ShaBaNa", "ရှဘန", "Shwebo"}, {"HaMaLa", "ဟမလ", "Homalin"}, {"KaBaLa", "ကဘလ", "Kanbalu"},
		{"WaLaNa", "ဝလန", "Wetlet"}, {"TaMaNa", "တမန", "Tamu"}, {"YaMaPa", "ယမပ", "Yinmabin"},
	}},
	"Tanintharyi": {6, []nrcTownship{
		{"HtaWaNa", "ထဝန", "Dawei"}, {"KaThaNa", "ကသန", "Kawthoung"}, {"BaPaNa", "ဘပန", "Bokpyin"},
		{"TaThaYa", "တသရ", "Tanintharyi"}, {"LaLaNa", "လလန", "Launglon"}, {"YaPhaNa", "ရဖန", "Yebyu"},
		{"ThaYaKha", "သရခ", "Thayetchaung"}, {"PaLaNa", "ပလန", "Palaw"},
	}},
	"Bago": {7, []nrcTownship{
		{"PaKhaNa", "ပခန", "Bago"}, {"TaNgaNa", "တငန", "Taungoo"}, {"PaMaNa", "ပမန", "Pyay"},
		{"ThaNaPa", "သနပ", "Thanatpin"}, {"NyaLaPa", "ညလပ", "Nyaunglebin"}, {"DaUNa", "ဒဥန", "Daik-U"},
		{"KaWaNa", "ကဝန", "Kawa"}, {"ThaWaTa", "သဝတ", "Thayarwady"}, {"LaPaTa", "လပတ", "Letpadan"},
		{"PhaMaNa", "ဖမန", "Phyu"}, {"YaTaNa", "ရတန", "Yedashe"},
	}},
	"Magway": {8, []nrcTownship{
		{"MaKaNa", "မကန", "Magway"}, {"PaKhaKa", "ပခက", "Pakokku"}, {"ThaYaNa", "သရန", "Thayet"},
		{"MaBaNa", "မဘန", "Minbu"}, {"YaNaKha", "ရနခ", "Yenangyaung"}, {"GaGaNa", "ဂဂန", "Gangaw"},
		{"SaLaNa", "စလန", "Salin"}, {"TaTaKa", "တတက", "Taungdwingyi"}, {"AhLaNa", "အလန", "Aunglan"},
	}},
	"Mandalay": {9, []nrcTownship{
		{"MaHaMa", "မဟမ", "Mahaaungmyay"}, {"KhaAhZa", "ခအဇ", "Chanayethazan"}, {"KhaMaSa", "ခမစ", "Chanmyathazi"},
		{"MaHtiLa", "မထလ", "Meiktila"}, {"PaBaNa", "ပဘန", "Pyawbwe"}, {"NaHtaKa", "နထက", "Natogyi"},
		{"KaPaTa", "ကပတ", "Kyaukpadaung"}, {"MaKhaNa", "မခန", "Myingyan"}, {"YaMaTha", "ရမသ", "Yamethin"},
		{"TaTaU", "တတဥ", "Tada-U"}, {"PaOuLa", "ပဥလ", "Pyinoolwin"},
	}},
	"Nay Pyi Taw": {9, []nrcTownship{
		{"PaMaNa", "ပမန", "Pyinmana"}, {"TaKaNa", "တကန", "Tatkon"}, {"LaWaNa", "လဝန", "Lewe"},
	}},
	"Mon": {10, []nrcTownship{
		{"MaLaMa", "မလမ", "Mawlamyine"}, {"ThaHtaNa", "သထန", "Thaton"}, {"KaMaYa", "ကမရ", "Kyaikmaraw"},
		{"PaMaNa", "ပမန", "Paung"}, {"MaDaNa", "မဒန", "Mudon"}, {"YaMaNa", "ရမန", "Ye"},
		{"KaHtaNa", "ကထန", "Kyaikto"}, {"BaLaNa", "ဘလန", "Bilin"}, {"ThaPhaYa", "သဖရ", "Thanbyuzayat"},
	}},
	"Rakhine": {11, []nrcTownship{
		{"SaTaNa", "စတန", "Sittwe"}, {"KaPhaNa", "ကဖန", "Kyaukpyu"}, {"MaUNa", "မဥန", "Mrauk-U"},
		{"TaKaNa", "တကန", "Toungup"}, {"ThaTaNa", "သတန", "Thandwe"}, {"MaAhNa", "မအန", "Ann"},
		{"BaThaTa", "ဘသတ", "Buthidaung"}, {"MaTaNa", "မတန", "Maungdaw"}, {"PaNaKa", "ပဏက", "Ponnagyun"},
		{"YaBaNa", "ရဗန", "Ramree"},
	}},
	"Yangon": {12, []nrcTownship{
		{"OuKaMa", "ဥကမ", "North Okkalapa"}, {"OuKaTa", "ဥကတ", "South Okkalapa"}, {"KaMaYa", "ကမရ", "Kamaryut"},
		{"BaHaNa", "ဗဟန", "Bahan"}, {"MaYaKa", "မရက", "Mayangone"}, {"LaThaYa", "လသယ", "Hlaingtharya"},
		{"TaMaNa", "တမန", "Tamwe"}, {"ThaKaTa", "သကတ", "Thaketa"}, {"DaGaMa", "ဒဂမ", "Dagon Myothit (North)"},
		{"DaGaTa", "ဒဂတ", "Dagon Myothit (South)"}, {"ThaGaKa", "သဃက", "Thingangyun"}, {"KaTaTa", "ကတတ", "Kyauktada"},
		{"AhSaNa", "အစန", "Insein"}, {"MaGaDa", "မဂဒ", "Mingaladon"}, {"YaKaNa", "ရကန", "Yankin"},
		{"SaKhaNa", "စခန", "Sanchaung"}, {"HtaTaPa", "ထတပ", "Htantabin"}, {"ThaLaNa", "သလန", "Thanlyin"},
	}},
	"Shan": {13, []nrcTownship{
		{"TaKaNa", "တကန", "Taunggyi"}, {"LaShaNa", "လရှန", "Lashio"}, {"KaTaNa", "ကတန", "Kengtung"},
		{"NyaYaNa", "ညရန", "Nyaungshwe"}, {"KaLaNa", "ကလန", "Kalaw"}, {"HaPaNa", "ဟပန", "Hopong"},
		{"TaKhaLa", "တခလ", "Tachileik"}, {"KaMaNa", "ကမန", "Kyaukme"}, {"PaTaYa", "ပတယ", "Pindaya"},
		{"YaNgaNa", "ရငန", "Ywangan"},
	}},
	"Ayeyarwady": {14, []nrcTownship{
		{"PaThaNa", "ပသန", "Pathein"}, {"HaThaTa", "ဟသတ", "Hinthada"}, {"MaAhPa", "မအပ", "Maubin"},
		{"MaMaNa", "မမန", "Myaungmya"}, {"PhaPaNa", "ဖပန", "Pyapon"}, {"LaPaTa", "လပတ", "Labutta"},
		{"BaKaLa", "ဘကလ", "Bogale"}, {"WaKhaMa", "ဝခမ", "Wakema"}, {"NgaPaTa", "ငပတ", "Ngapudaw"},
		{"ZaLaNa", "ဇလန", "Zalun"},
	}},
}

// loadRegions parses the embedded places file into regions, in file order,
// and attaches weights and NRC codes. The file is part of the binary, so an
// error here is a build defect; New panics on it and a test keeps it away.
func loadRegions() ([]region, error) {
	cr := csv.NewReader(strings.NewReader(placesCSV))
	cr.Comment = '#'
	cr.FieldsPerRecord = 6
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("synth: places header: %w", err)
	}
	if header[0] != "state_pcode" {
		return nil, fmt.Errorf("synth: places header: unexpected %q", header[0])
	}
	var regions []region
	index := map[string]int{}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("synth: places: %w", err)
		}
		k, ok := index[rec[0]]
		if !ok {
			k = len(regions)
			index[rec[0]] = k
			regions = append(regions, region{code: rec[0], english: rec[1], burmese: rec[2]})
		}
		regions[k].townships = append(regions[k].townships, township{rec[3], rec[4], rec[5]})
	}
	for k := range regions {
		rg := &regions[k]
		w, ok := regionWeight[rg.english]
		if !ok {
			return nil, fmt.Errorf("synth: places: no weight for %q", rg.english)
		}
		rg.weight = w
		nc, ok := nrcCodes[rg.english]
		if !ok {
			return nil, fmt.Errorf("synth: places: no NRC codes for %q", rg.english)
		}
		rg.nrcState, rg.nrc = nc.state, nc.codes
	}
	if len(regions) != len(regionWeight) {
		return nil, fmt.Errorf("synth: places: %d regions, want %d", len(regions), len(regionWeight))
	}
	return regions, nil
}

// townshipByName finds a township of rg by its English name.
func (rg *region) townshipByName(english string) (township, bool) {
	for _, t := range rg.townships {
		if t.english == english {
			return t, true
		}
	}
	return township{}, false
}
