// Package synth generates the synthetic data set behind `embrace demo` and
// `embrace seed`: realistic but entirely invented first contacts from
// soldiers and police who want to leave the regime's forces, with their
// families, plus fixed demo shelters and the stipend rate.
//
// It stores nothing. Callers feed its records through the same code paths
// as real input (intake, casework, the Myanmar text boundary), so the demo
// and the benchmarks exercise the real encryption, indexing and statistics.
//
// # Security
//
// The records are invented, but shaped exactly like red data: names, NRC
// and service numbers, phones, families and messages. Names are common
// Burmese name syllables and will coincide with real people's names, so a
// synthetic record gets the same protection as a real one, and demo data is
// never mixed with a real deployment. Defector prints and logs only its
// green fields (String, slog.LogValuer), Family only a count and Relative
// "[redacted]", so a stray log line cannot leak them. Shelter names and addresses are invented and
// marked "(fictional)".
//
// # Determinism
//
// A data set is New(seed, total). Record i depends only on seed, total and
// i: each record draws from its own math/rand/v2 PCG stream seeded from
// (seed, i); there is no global random source and no clock. Records can be
// generated in any order or in parallel and come out the same. Quotas that
// must be exact (months, services, ranks, regions) are met without
// generating the whole set first: a keyed Feistel permutation of [0, total)
// gives each record a position in the quota tables in O(1).
//
// Records are numbered in contact order: Contacted never decreases with the
// index.
//
// # Distribution
//
// It follows what has been publicly reported about the People's Embrace
// network (formed May 2021): about 3,000 soldiers and 7,000 police had
// defected by January 2023; contacts peaked from June to December 2021 and
// fell to about ten a month after April 2022; most defectors are low-ranking,
// with over a hundred captains, three lieutenant colonels and a police major
// as the highest police rank; a minority left with arms and few with a
// vehicle; they come from every state and region.
//
// Services and ranks, per 10,000 records (exact, by the largest-remainder
// method for other totals):
//
//	army       2,700  Private 1,090, Lance Corporal 420, Corporal 380, Sergeant 300,
//	                  Warrant Officer Class 2 110, Class 1 60, Second Lieutenant 60,
//	                  Lieutenant 90, Captain 130, Major 57, Lieutenant Colonel 3
//	navy         150  Able Seaman 80 ... Lieutenant Commander 1
//	air_force    150  Aircraftman 66 ... Squadron Leader 1
//	police     7,000  Police Constable 3,900, Lance Corporal 1,200, Corporal 900,
//	                  Sergeant 600, Second Lieutenant 230, Lieutenant 120,
//	                  Captain 45, Police Major 5
//
// Lieutenant colonels and police majors are individuals, not shares: 3 and 5
// for any total of 10,000 or more, scaled down below that but at least one
// each from 1,000 records up.
//
// Month of first contact (Plan), per 10,000 records:
//
//	2021 Mar–May        150, 250, 400            police CDM; the network forms in May
//	2021 Jun–Dec        700, 900, 1,000, 1,100,  the peak: 6,860, about 980 a month
//	                    1,100, 1,060, 1,000
//	2022 Jan–Apr        700, 500, 350, 250       the decline
//	2022 May–2026 Oct   10 a month               the tail (540 in all)
//
// Published accounts speak of about 100 contacts a month at the peak; the
// curve keeps that shape (the peak months average about 98 times the tail)
// while producing the requested total. Plan scales it to any total, exactly.
// Within a month, records spread evenly over the days.
//
// States and regions, per 10,000 (exact before repeat contacts, which keep
// their first contact's region): Yangon 1,800, Mandalay 1,400, Sagaing
// 1,300, Magway, Bago and Ayeyarwady 1,050 each, Shan 700, Mon 400, Kayin
// and Kachin 300, Tanintharyi 200, Rakhine and Nay Pyi Taw 150, Chin 100,
// Kayah 50. Townships are drawn uniformly within the state or region.
//
// Drawn per record: leaving with arms, 20% of army other ranks, 15% of army
// officers, 5–6% of navy and air force, 9% of police other ranks and 7% of
// police officers (about 12% overall); with a vehicle, 1–2.5% (about 1.6%);
// women, 1% of the army, 2.5% of navy and air force, 7% of police; about 1.2%
// of records are repeat contacts by someone already on file (OriginalIndex,
// same rank), named in a freshly chosen romanisation and often from another
// phone, for duplicate detection to find.
//
// # Data
//
// data/places.csv holds the 15 states and regions and their 413 townships
// from github.com/mmhan/nayyar (MIT, data/LICENSE-nayyar.txt). Name
// syllables, NRC township codes, ranks, units and message templates are
// tables in this package.
package synth
