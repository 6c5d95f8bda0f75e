package synth

import "time"

// MonthCount is the number of records whose first contact falls in Month.
type MonthCount struct {
	Month time.Time // first day of the month, 00:00 UTC
	Count int
}

// First and last months of the contact curve.
var (
	firstMonth = time.Date(2021, time.March, 1, 0, 0, 0, 0, time.UTC)
	lastMonth  = time.Date(2026, time.October, 1, 0, 0, 0, 0, time.UTC)
)

// peakCurve is the number of first contacts per month, per 10,000 records,
// from March 2021 to April 2022 (see the package documentation). Every later
// month up to October 2026 gets tailPer10k.
var peakCurve = [...]int{
	150, 250, 400, // 2021 Mar–May: police CDM, before and as the network forms
	700, 900, 1000, 1100, 1100, 1060, 1000, // 2021 Jun–Dec: the peak
	700, 500, 350, 250, // 2022 Jan–Apr: the decline
}

const tailPer10k = 10

// monthWeights returns the per-10,000 weight of every month from firstMonth
// to lastMonth; they add up to exactly 10,000.
func monthWeights() []int {
	n := monthsBetween(firstMonth, lastMonth) + 1
	w := make([]int, n)
	for k := range w {
		w[k] = tailPer10k
		if k < len(peakCurve) {
			w[k] = peakCurve[k]
		}
	}
	return w
}

func monthsBetween(a, b time.Time) int {
	return (b.Year()-a.Year())*12 + int(b.Month()) - int(a.Month())
}

// Plan returns how total records spread over the months from March 2021 to
// October 2026: the curve in the package documentation, scaled to total with
// the largest-remainder method so that the counts add up to exactly total.
// Records are numbered in contact order, so record i falls in the month where
// the running sum of counts first exceeds i. Plan does not depend on the seed.
func Plan(total int) []MonthCount {
	counts := apportion(total, monthWeights())
	out := make([]MonthCount, len(counts))
	for k, c := range counts {
		out[k] = MonthCount{Month: firstMonth.AddDate(0, k, 0), Count: c}
	}
	return out
}
