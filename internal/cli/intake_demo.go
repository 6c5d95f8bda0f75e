package cli

import (
	"context"
	"fmt"
	"time"

	"embrace/internal/intake"
	"embrace/internal/store"
	"embrace/internal/synth"
)

// demoContactSeed keeps the demo's intake contacts apart from its cases.
const demoContactSeed = 6006

// addDemoContacts puts n synthetic intake contacts into a demo deployment:
// deterministic people from internal/synth (their first message, rank,
// unit, township), through the real submission path for those who used the
// contact form (every other one), recorded by an officer for the other
// channels. It needs escrow (and
// wraps to the intake team when it exists). Receipts are not kept: demo
// contacts are read through the inbox.
func addDemoContacts(ctx context.Context, s *store.Store, n int) error {
	lots := intake.Rate{PerSecond: 1e6, Burst: 1e6}
	svc, err := intake.New(ctx, intake.Config{Store: s, MinFill: time.Nanosecond, SubmitClient: lots, SubmitGlobal: lots,
		ReceiptClient: lots, ReceiptGlobal: lots, QueueCap: 1 << 40})
	if err != nil {
		return err
	}
	g := synth.New(demoContactSeed, max(n, 1))
	for i := range n {
		d := g.Defector(i)
		who := "soldier"
		if d.Service == synth.ServicePolice {
			who = "police"
		}
		rank, unit, place := d.RankEnglish, d.Unit, d.TownshipEnglish
		if d.MessageLanguage == "my" {
			rank, unit, place = d.RankBurmese, d.UnitBurmese, d.TownshipBurmese
		}
		f := intake.Form{Who: who, Service: d.Service, Rank: rank, Unit: unit, Region: d.RegionCode, Place: place, Message: d.Message}
		if i%3 == 0 {
			f.Reach = "Signal " + d.Phone
		}
		channel := d.Channel
		if i%2 == 0 {
			channel = synth.ChannelWeb // the contact form is the front door
		}
		if channel != synth.ChannelWeb {
			f.Reach = d.Phone
			if _, err := svc.Record(ctx, "system:demo", channel, f); err != nil {
				return fmt.Errorf("demo contact %d: %w", i, err)
			}
			continue
		}
		if f.Token, err = svc.IssueToken(); err != nil {
			return err
		}
		if _, err := svc.Submit(ctx, "demo", f, nil); err != nil {
			return fmt.Errorf("demo contact %d: %w", i, err)
		}
	}
	return nil
}
