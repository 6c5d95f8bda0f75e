package cli

import (
	"context"
	"fmt"
	"time"

	"embrace/internal/intake"
	"embrace/internal/keys"
	"embrace/internal/store"
	"embrace/internal/synth"
)

// demoContactSeed keeps the demo's intake contacts apart from its cases.
const demoContactSeed = 6006

// demoContactCount is how many intake contacts a demo with the given
// number of cases gets: a few hundred, fewer for the small demos tests
// make.
func demoContactCount(cases int) int { return min(300, max(cases/4, 20)) }

// demoStaff is the signed-in staff member who works the demo's inbox: a
// keyring holding the intake team's key, the audit actor and the username
// replies are signed with.
type demoStaff struct {
	ring  *keys.Keyring
	actor string
	by    string
}

// Replies the demo's staff write, in both languages the network works in.
var demoReplies = []string{
	"ကျေးဇူးတင်ပါတယ်။ သင့်စာကို ရရှိပါပြီ။ ဘေးကင်းတဲ့နေရာမှာ နေပါ၊ ဖုန်းထဲက ဒီစာကို ဖျက်ထားပါ။ မကြာခင် ထပ်ဆက်သွယ်ပါမယ်။",
	"Thank you, we have your message. Stay where you are safe and delete this page from your history. We will write again within two days.",
	"သင့်တပ်ခွဲနဲ့ ရာထူးကို အတည်ပြုဖို့ မေးခွန်းအနည်းငယ် ရှိပါတယ်။ စစ်ဝတ်စုံမပါတဲ့ ဓာတ်ပုံ မပို့ပါနဲ့။",
	"Can you tell us which township you can reach safely next week? Do not send photos of your face.",
}

// Messages that are not contacts at all, as any public form receives.
var demoSpam = []string{
	"Cheap phone top-up cards, best price, message now!!!",
	"ဖုန်းငွေဖြည့်ကတ် အလျှော့ဈေး ရပါပြီ။ အခုပဲ ဆက်သွယ်ပါ။",
	"Win a prize: click here and send your bank details.",
}

// addDemoContacts puts n synthetic intake contacts into a demo deployment:
// deterministic people from internal/synth (their first message, rank,
// unit, township), through the real submission path for those who used
// the contact form (every other one), recorded by an officer for the other
// channels, and a few spam messages. It needs escrow (and wraps to the
// intake team when it exists). With staff, the inbox is worked as it would
// be: staff replies (some answered by the applicant through their
// receipt), spam marked, cases opened — all through the intake service
// with the staff member's keyring. Receipts are not kept.
func addDemoContacts(ctx context.Context, s *store.Store, n int, staff *demoStaff) error {
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
		spam := i%15 == 7
		if spam {
			f = intake.Form{Who: "other", Message: demoSpam[i%len(demoSpam)]}
		}
		if i%3 == 0 && !spam {
			f.Reach = "Signal " + d.Phone
		}
		channel := d.Channel
		if i%2 == 0 || spam {
			channel = synth.ChannelWeb // the contact form is the front door
		}
		var id string
		var receipt intake.Receipt
		if channel != synth.ChannelWeb {
			f.Reach = d.Phone
			actor := "system:demo"
			if staff != nil {
				actor = staff.actor
			}
			if id, err = svc.Record(ctx, actor, channel, f); err != nil {
				return fmt.Errorf("demo contact %d: %w", i, err)
			}
		} else {
			if f.Token, err = svc.IssueToken(); err != nil {
				return err
			}
			if receipt, err = svc.Submit(ctx, "demo", f, nil); err != nil {
				return fmt.Errorf("demo contact %d: %w", i, err)
			}
		}
		if staff == nil {
			continue
		}
		if err := workDemoContact(ctx, s, svc, staff, i, spam, id, receipt); err != nil {
			return fmt.Errorf("demo contact %d: %w", i, err)
		}
	}
	return nil
}

// workDemoContact does what the intake team would have done with demo
// contact i: mark spam as spam, answer some (and let some applicants
// answer back), open cases for some. A contact from the form (id empty:
// Submit answers only the receipt) is the newest contact, as the demo is
// filled by one goroutine.
func workDemoContact(ctx context.Context, s *store.Store, svc *intake.Service, staff *demoStaff, i int, spam bool, id string, receipt intake.Receipt) error {
	if id == "" {
		if err := s.DB().QueryRowContext(ctx, "SELECT id FROM intake_contacts ORDER BY seq DESC LIMIT 1").Scan(&id); err != nil {
			return fmt.Errorf("the new contact: %w", err)
		}
	}
	switch {
	case spam:
		return svc.MarkSpam(ctx, staff.ring, id, staff.actor)
	case i%9 == 4:
		if err := svc.Reply(ctx, staff.ring, id, staff.actor, staff.by, demoReplies[i%len(demoReplies)]); err != nil {
			return err
		}
		_, err := svc.OpenCase(ctx, staff.ring, id, staff.actor)
		return err
	case i%4 == 1 || i%4 == 2:
		if err := svc.Reply(ctx, staff.ring, id, staff.actor, staff.by, demoReplies[i%len(demoReplies)]); err != nil {
			return err
		}
		if i%8 == 2 && receipt.Digits() != "" {
			// The applicant came back with the receipt and answered.
			_, err := svc.FollowUp(ctx, "demo", receipt.Groups(), "ကျေးဇူးပါ။ Thank you — I can reach Myawaddy next Tuesday.", nil)
			return err
		}
	}
	return nil
}
