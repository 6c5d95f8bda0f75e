package cli

import (
	"context"
	"fmt"
	"time"

	"embrace/internal/auth"
	"embrace/internal/casework"
	"embrace/internal/keys"
	"embrace/internal/passage"
	"embrace/internal/store"
)

// demoRoute is a demo route and how far its guides have got.
type demoRoute struct {
	legs [][3]string // from, to, guide
	// startHours is when the first leg's window starts, from now; each
	// leg lasts legHours.
	startHours, legHours int
	// done lists the check-ins made, in order, as leg index and kind.
	done    []demoCheckin
	problem string
}

type demoCheckin struct {
	leg  int
	kind string
}

// demoRoutes: one route well under way, one overdue, one with a problem
// reported, one planned for tomorrow.
var demoRoutes = []demoRoute{
	{legs: [][3]string{{"မြဝတီ၊ ဈေးအနောက်ဘက် လမ်းဆုံ", "သောင်ရင်းမြစ် ကူးတို့ဆိပ်", "ကိုလင်း"}, {"သောင်ရင်းမြစ် ကူးတို့ဆိပ်", "Mae Sot, 7-Eleven by the market", "Ma Hnin"}, {"Mae Sot market", "safe house (see shelter)", "U Tun"}},
		startHours: -8, legHours: 5, done: []demoCheckin{{0, passage.CheckPickedUp}, {0, passage.CheckHandedOver}, {1, passage.CheckPickedUp}}},
	{legs: [][3]string{{"ဘားအံ ကားဂိတ်", "မြဝတီ", "ကိုဇော်"}, {"မြဝတီ", "Mae Sot", "Ko Aung"}},
		startHours: -30, legHours: 6},
	{legs: [][3]string{{"တမူး", "Moreh, Indian side of the gate", "ကိုသန့်"}, {"Moreh", "Imphal", "Pu Lal"}},
		startHours: -3, legHours: 10, done: []demoCheckin{{0, passage.CheckPickedUp}, {0, passage.CheckProblem}},
		problem: "တံတားနား စစ်ဆေးရေးဂိတ် အသစ်ရှိနေလို့ စောင့်နေရတယ်။"},
	{legs: [][3]string{{"လွိုင်ကော်", "ထိုင်းနယ်စပ်", "ကိုမင်း"}, {"Border", "Mae Hong Son", "Nong Fah"}, {"Mae Hong Son", "Chiang Mai", "Ko Htet"}},
		startHours: 20, legHours: 8},
}

// addDemoPassage plans the demo routes on cases in passage, with the
// steward's keys acting as a passage coordinator, and has their guides
// check in as far as each route got. Links are not kept: in the demo, as
// for real, a coordinator replaces a link from the route's page.
func addDemoPassage(ctx context.Context, s *store.Store, steward *auth.Session) error {
	actor := casework.Actor{Name: steward.Actor(), Account: steward.AccountID, Principal: steward.PrincipalID,
		Roles: []auth.Role{auth.RolePassageCoordinator}}
	return planDemoRoutes(ctx, s, steward.Keyring(), actor)
}

// planDemoRoutes is addDemoPassage for any ring that opens the cases and
// actor allowed to plan.
func planDemoRoutes(ctx context.Context, s *store.Store, ring *keys.Keyring, actor casework.Actor) error {
	pg := passage.New(s, casework.New(s), nil)
	cands, err := pg.Candidates(ctx, len(demoRoutes))
	if err != nil {
		return err
	}
	cw := casework.New(s)
	now := time.Now().In(passage.Zone).Truncate(time.Hour)
	for i, c := range cands {
		rt := demoRoutes[i]
		cs, err := cw.Get(ctx, ring, c.CaseID)
		if err != nil {
			return fmt.Errorf("demo route %d: %w", i, err)
		}
		np := passage.NewPlan{CaseID: c.CaseID}
		for _, p := range cs.People {
			if p.MergedInto == "" && (p.Relation == "self" || p.StillInside) {
				np.Travellers = append(np.Travellers, p.ID)
			}
		}
		for j, l := range rt.legs {
			start := now.Add(time.Duration(rt.startHours+j*rt.legHours) * time.Hour)
			np.Legs = append(np.Legs, passage.Leg{From: l[0], To: l[1], Guide: l[2], Start: start.Format(passage.TimeLayout),
				End: start.Add(time.Duration(rt.legHours) * time.Hour).Format(passage.TimeLayout), Codeword: fmt.Sprintf("မိုး-%d%d", i+1, j+1),
				Notes: "ဖုန်းမသုံးပါနှင့်။ Keep phones off."})
		}
		created, err := pg.Plan(ctx, actor, ring, np)
		if err != nil {
			return fmt.Errorf("demo route %d: %w", i, err)
		}
		for _, d := range rt.done {
			msg := ""
			if d.kind == passage.CheckProblem {
				msg = rt.problem
			}
			if _, err := pg.CheckIn(ctx, created.Links[d.leg], created.LegIDs[d.leg], d.kind, msg); err != nil {
				return fmt.Errorf("demo route %d check-in: %w", i, err)
			}
		}
	}
	return nil
}
