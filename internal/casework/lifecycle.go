package casework

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"embrace/internal/audit"
	"embrace/internal/auth"
	"embrace/internal/keys"
	"embrace/internal/store"
)

// The case states (DESIGN §1): the main path, the exits and the outcomes.
const (
	StateContacted  = "contacted"
	StateScreening  = "screening"
	StateVetting    = "vetting"
	StateVerified   = "verified"
	StateInPassage  = "in_passage"
	StateArrived    = "arrived"
	StateSheltered  = "sheltered"
	StateResettled  = "resettled"
	StateRejected   = "rejected"
	StateWithdrawn  = "withdrawn"
	StateLost       = "lost_contact"
	StateInfiltrate = "suspected_infiltrator"
	StateDetained   = "detained"
	StateDeceased   = "deceased"
)

// The teams that own stages (auth.Team names; casework keeps them as
// strings so that a team added later needs no change here).
const (
	TeamIntake   = string(auth.TeamIntake)
	TeamVetting  = string(auth.TeamVetting)
	TeamCasework = string(auth.TeamCasework)
	TeamPassage  = string(auth.TeamPassage)
)

// Move is one allowed transition and the permission it needs.
type Move struct {
	To   string
	Perm auth.Permission
}

// decisionMoves are the verdicts one person alone may not make: a plain
// Transition refuses them (ErrNeedsDecision), and only a decision path —
// vetting's confirmation by a second officer — makes them, with
// TransitionDecided. They are part of the lifecycle, whoever wires
// casework.
var decisionMoves = map[[2]string]bool{
	{StateVetting, StateVerified}:   true,
	{StateVetting, StateRejected}:   true,
	{StateVetting, StateInfiltrate}: true,
}

// NeedsDecision reports whether the move from → to is a verdict that only
// a decision path may make.
func NeedsDecision(from, to string) bool { return decisionMoves[[2]string{from, to}] }

// Stage is one state of the lifecycle: the team that owns cases in it
// ("" keeps the team that had the case) and the moves out of it.
type Stage struct {
	Team  string
	Moves []Move
}

// lifecycle is the one table of the case state machine: every state, the
// team that owns it, the states it may move to and the permission each
// move needs. Nothing else decides a transition.
var lifecycle = map[string]Stage{
	StateContacted: {TeamIntake, []Move{
		{StateScreening, auth.PermCaseOpen}, {StateWithdrawn, auth.PermCaseOpen}, {StateLost, auth.PermCaseOpen},
	}},
	StateScreening: {TeamIntake, []Move{
		{StateVetting, auth.PermCaseOpen}, {StateRejected, auth.PermCaseOpen}, {StateWithdrawn, auth.PermCaseOpen},
		{StateLost, auth.PermCaseOpen}, {StateInfiltrate, auth.PermCaseOpen},
	}},
	StateVetting: {TeamVetting, []Move{
		{StateVerified, auth.PermVettingDecide}, {StateRejected, auth.PermVettingDecide}, {StateInfiltrate, auth.PermVettingDecide},
		{StateWithdrawn, auth.PermVettingCheck}, {StateLost, auth.PermVettingCheck},
	}},
	StateVerified: {TeamCasework, []Move{
		{StateInPassage, auth.PermCaseHandle}, {StateWithdrawn, auth.PermCaseHandle}, {StateLost, auth.PermCaseHandle},
		{StateInfiltrate, auth.PermVettingDecide},
	}},
	StateInPassage: {TeamPassage, []Move{
		{StateArrived, auth.PermPassagePlan}, {StateVerified, auth.PermPassagePlan}, {StateLost, auth.PermPassagePlan},
		{StateDetained, auth.PermPassagePlan}, {StateDeceased, auth.PermPassagePlan},
	}},
	StateArrived: {TeamCasework, []Move{
		{StateSheltered, auth.PermCaseHandle}, {StateResettled, auth.PermCaseHandle}, {StateWithdrawn, auth.PermCaseHandle},
		{StateInfiltrate, auth.PermVettingDecide},
	}},
	StateSheltered: {TeamCasework, []Move{
		{StateResettled, auth.PermCaseHandle}, {StateWithdrawn, auth.PermCaseHandle}, {StateLost, auth.PermCaseHandle},
		{StateInfiltrate, auth.PermVettingDecide},
	}},
	StateResettled: {TeamCasework, nil},
	StateRejected:  {"", nil},
	StateWithdrawn: {"", []Move{{StateContacted, auth.PermCaseOpen}}},
	StateLost: {"", []Move{
		{StateScreening, auth.PermCaseOpen}, {StateVerified, auth.PermCaseHandle},
		{StateDetained, auth.PermCaseHandle}, {StateDeceased, auth.PermCaseHandle},
	}},
	StateInfiltrate: {TeamVetting, []Move{{StateVetting, auth.PermVettingDecide}}},
	StateDetained:   {"", []Move{{StateLost, auth.PermCaseHandle}, {StateDeceased, auth.PermCaseHandle}}},
	StateDeceased:   {"", nil},
}

// States lists every state in lifecycle order.
func States() []string {
	return []string{StateContacted, StateScreening, StateVetting, StateVerified, StateInPassage, StateArrived,
		StateSheltered, StateResettled, StateRejected, StateWithdrawn, StateLost, StateInfiltrate, StateDetained, StateDeceased}
}

// KnownState reports whether s is a state of the lifecycle.
func KnownState(s string) bool { _, ok := lifecycle[s]; return ok }

// AllowedFrom lists the states a case in state may move to.
func AllowedFrom(state string) []string {
	out := []string{}
	for _, m := range lifecycle[state].Moves {
		out = append(out, m.To)
	}
	return out
}

// Moves returns the moves out of state (the whole row of the table).
func Moves(state string) []Move { return slices.Clone(lifecycle[state].Moves) }

// teamOf is the team owning state, or current when the state keeps it.
func teamOf(state, current string) string {
	if t := lifecycle[state].Team; t != "" {
		return t
	}
	return current
}

// ErrIllegalTransition is wrapped by TransitionError.
var ErrIllegalTransition = errors.New("casework: illegal transition")

// ErrNeedsDecision refuses a decision move made by a plain Transition:
// vetting's verdicts need two officers.
var ErrNeedsDecision = errors.New("casework: this move needs a vetting decision confirmed by a second officer")

// ErrForbidden means the actor's roles do not allow the action.
var ErrForbidden = errors.New("casework: your role does not allow this")

// TransitionError is an illegal transition: the case is in From, To is not
// one of the states it may move to, which are Allowed.
type TransitionError struct {
	From, To string
	Allowed  []string
}

func (e *TransitionError) Error() string {
	return fmt.Sprintf("casework: a case in %s cannot move to %s (allowed: %s)", e.From, e.To, strings.Join(e.Allowed, ", "))
}

// Unwrap makes errors.Is(err, ErrIllegalTransition) true.
func (e *TransitionError) Unwrap() error { return ErrIllegalTransition }

// Actor is who acts: their audit name (auth.Actor), account and principal
// ids and roles.
type Actor struct {
	Name      string
	Account   int64
	Principal int64
	Roles     []auth.Role
}

// ActorOf is the actor of a signed-in session.
func ActorOf(sess *auth.Session) Actor {
	return Actor{Name: sess.Actor(), Account: sess.AccountID, Principal: sess.PrincipalID, Roles: sess.Roles}
}

// maxReason bounds a transition's reason.
const maxReason = 2000

// Transition moves case id to state to, for reason. The ring must open the
// case (else store.ErrNotFound); the move must be in the lifecycle table
// (else a *TransitionError listing the allowed states) and the actor must
// hold its permission (else ErrForbidden). The case key is wrapped to the
// team owning the new stage and the previous team's wrap removed; the
// reason is sealed in the timeline and the audit entry names only the
// states.
func (s *Service) Transition(ctx context.Context, a Actor, ring *keys.Keyring, id int64, to, reason string) error {
	return s.transition(ctx, a, ring, id, to, reason, false, nil)
}

// TransitionDecided is Transition for a decision path: it may make the
// lifecycle's decision moves, and runs also (when not nil) inside the
// same transaction, after the move, so the decision and the move commit
// together or not at all. The case must still be in from.
func (s *Service) TransitionDecided(ctx context.Context, a Actor, ring *keys.Keyring, id int64, from, to, reason string, also func(tx *sql.Tx) error) error {
	return s.transition(ctx, a, ring, id, to, reason, true, func(tx *sql.Tx, state string) error {
		if state != from {
			return &TransitionError{From: state, To: to, Allowed: AllowedFrom(state)}
		}
		if also == nil {
			return nil
		}
		return also(tx)
	})
}

func (s *Service) transition(ctx context.Context, a Actor, ring *keys.Keyring, id int64, to, reason string, decided bool, also func(tx *sql.Tx, from string) error) error {
	reason, err := cleanText("reason", reason, maxReason, true)
	if err != nil {
		return err
	}
	k, err := s.caseKey(ctx, ring, id)
	if err != nil {
		return err
	}
	defer k.Wipe()
	sum, err := s.Summary(ctx, id)
	if err != nil {
		return err
	}
	var move *Move
	for _, m := range lifecycle[sum.State].Moves {
		if m.To == to {
			move = &m
			break
		}
	}
	if move == nil {
		return &TransitionError{From: sum.State, To: to, Allowed: AllowedFrom(sum.State)}
	}
	if !auth.Can(a.Roles, move.Perm) {
		return fmt.Errorf("%w (moving a case to %s needs %s)", ErrForbidden, to, move.Perm)
	}
	if NeedsDecision(sum.State, to) && !decided {
		return ErrNeedsDecision
	}
	newTeam := teamOf(to, sum.Team)
	var teamP keys.Principal
	if newTeam != sum.Team {
		teamP, err = keys.LookupPrincipal(ctx, s.st.DB(), keys.KindTeam, newTeam)
		if err != nil {
			return fmt.Errorf("casework: team %s: %w", newTeam, err)
		}
	}
	day := today()
	return s.st.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE cases SET state = $1, team = $2, updated_day = $3 WHERE id = $4 AND state = $5", to, newTeam, day, id, sum.State)
		if err != nil {
			return fmt.Errorf("casework: transition: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return fmt.Errorf("casework: the case changed meanwhile, reload it: %w", store.ErrConflict)
		}
		if newTeam != sum.Team {
			ref := strconv.FormatInt(id, 10)
			if err := keys.WrapObjectKey(ctx, tx, ObjectCase, ref, k, teamP); err != nil {
				return err
			}
			if old, err := keys.LookupPrincipal(ctx, tx, keys.KindTeam, sum.Team); err == nil {
				if err := keys.RemoveObjectWrap(ctx, tx, ObjectCase, ref, old.ID); err != nil {
					return err
				}
			} else if !errors.Is(err, store.ErrNotFound) {
				return err
			}
		}
		if err := addEvent(ctx, tx, k, id, a, EventTransition, sum.State, to, reason); err != nil {
			return err
		}
		if to == StateVetting && s.screen != nil {
			if err := s.screenCase(ctx, tx, k, id); err != nil {
				return err
			}
		}
		if also != nil {
			if err := also(tx, sum.State); err != nil {
				return err
			}
		}
		_, err = audit.Append(ctx, tx, audit.Entry{Actor: a.Name, Action: "case.transition", Object: caseObject(id),
			Detail: map[string]string{"from": sum.State, "to": to, "team": newTeam}})
		return err
	})
}

// screenCase hands every person of case id to the screener (a case
// entering vetting is matched against the watch list as it is then).
func (s *Service) screenCase(ctx context.Context, tx *sql.Tx, k *keys.DataKey, id int64) error {
	rows, err := tx.QueryContext(ctx, "SELECT id, sealed FROM people WHERE case_id = $1 AND merged_into IS NULL ORDER BY id", id)
	if err != nil {
		return fmt.Errorf("casework: screen: %w", err)
	}
	var people []Person
	for rows.Next() {
		p := Person{CaseID: id}
		var sealed []byte
		if err := rows.Scan(&p.ID, &sealed); err != nil {
			rows.Close()
			return fmt.Errorf("casework: screen: %w", err)
		}
		if err := openPerson(k, &p, sealed); err != nil {
			rows.Close()
			return err
		}
		people = append(people, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("casework: screen: %w", err)
	}
	defer clear(people)
	for _, p := range people {
		if err := s.screen(ctx, tx, id, p.ID, p); err != nil {
			return err
		}
	}
	return nil
}

func caseObject(id int64) string { return "case:" + strconv.FormatInt(id, 10) }

func today() string { return time.Now().UTC().Format(time.DateOnly) }

// OpenAs opens a new case for actor a: prepared outside the transaction,
// then inserted and audited ("case.open") in one transaction. The key is
// wrapped to escrow and to each principal in to.
func (s *Service) OpenAs(ctx context.Context, a Actor, nc NewCase, to ...keys.Principal) (int64, error) {
	esc, err := keys.Escrow(ctx, s.st.DB())
	if err != nil {
		return 0, fmt.Errorf("casework: open case: %w", err)
	}
	p, err := Prepare(nc, esc, to...)
	if err != nil {
		return 0, err
	}
	var id int64
	err = s.st.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		if id, err = s.Insert(ctx, tx, p); err != nil {
			return err
		}
		_, err = audit.Append(ctx, tx, audit.Entry{Actor: a.Name, Action: "case.open", Object: caseObject(id),
			Detail: map[string]string{"people": strconv.Itoa(len(p.people))}})
		return err
	})
	return id, err
}

// StageTeam is the team owning a case in state (intake for states that
// keep the team they had, when there is no earlier team to keep).
func StageTeam(state string) string { return teamOf(state, TeamIntake) }

// SyntheticState picks a state for synthetic case number i: a fixed,
// realistic mix (most cases sheltered, resettled or in vetting; few
// detained or deceased), the same for the same i.
func SyntheticState(i int) string {
	x := uint64(i)*0x9E3779B97F4A7C15 + 0x632BE59BD9B4E019
	x ^= x >> 31
	x *= 0xBF58476D1CE4E5B9
	x ^= x >> 29
	r := int(x % 1000)
	for _, m := range syntheticMix {
		if r < m.upTo {
			return m.state
		}
	}
	return StateContacted
}

var syntheticMix = []struct {
	upTo  int
	state string
}{
	{100, StateContacted}, {180, StateScreening}, {300, StateVetting}, {400, StateVerified}, {450, StateInPassage},
	{500, StateArrived}, {700, StateSheltered}, {850, StateResettled}, {900, StateRejected}, {940, StateWithdrawn},
	{980, StateLost}, {990, StateInfiltrate}, {995, StateDetained}, {1000, StateDeceased},
}

// Step is one move of an imported or synthetic case's history: the state
// it moved to and the day (YYYY-MM-DD).
type Step struct {
	State string
	Day   string
}

// actorImport is the timeline actor of moves that came with an imported
// or synthetic case rather than from a person.
const actorImport = "import"

// SetHistory makes a prepared case arrive with the moves of steps already
// made, from contacted (on its recorded day): the timeline gets each move,
// green, with its day and the days spent in the state it left. Every move
// must be in the lifecycle table and the days must not go backwards;
// otherwise nothing is set. The case ends in the last step's state.
func (p *Prepared) SetHistory(steps []Step) error {
	from, since := StateContacted, p.day
	for _, st := range steps {
		allowed := false
		for _, m := range lifecycle[from].Moves {
			allowed = allowed || m.To == st.State
		}
		if !allowed {
			return &TransitionError{From: from, To: st.State, Allowed: AllowedFrom(from)}
		}
		if stageDays(since, st.Day) < 0 {
			return &FieldError{"day", "must be a day no earlier than the one before"}
		}
		from, since = st.State, st.Day
	}
	p.state, p.team = from, teamOf(from, TeamIntake)
	p.history = slices.Clone(steps)
	return nil
}

// syntheticPaths are the moves that lead from contacted to each state in
// synthetic data, along the main path or off it where the state is an exit.
var syntheticPaths = map[string][]string{
	StateContacted:  nil,
	StateScreening:  {StateScreening},
	StateVetting:    {StateScreening, StateVetting},
	StateVerified:   {StateScreening, StateVetting, StateVerified},
	StateInPassage:  {StateScreening, StateVetting, StateVerified, StateInPassage},
	StateArrived:    {StateScreening, StateVetting, StateVerified, StateInPassage, StateArrived},
	StateSheltered:  {StateScreening, StateVetting, StateVerified, StateInPassage, StateArrived, StateSheltered},
	StateResettled:  {StateScreening, StateVetting, StateVerified, StateInPassage, StateArrived, StateSheltered, StateResettled},
	StateRejected:   {StateScreening, StateVetting, StateRejected},
	StateWithdrawn:  {StateScreening, StateWithdrawn},
	StateLost:       {StateScreening, StateVetting, StateLost},
	StateInfiltrate: {StateScreening, StateVetting, StateInfiltrate},
	StateDetained:   {StateScreening, StateVetting, StateVerified, StateInPassage, StateDetained},
	StateDeceased:   {StateScreening, StateVetting, StateVerified, StateInPassage, StateDeceased},
}

// stageSpan is the range of days synthetic cases spend in a state before
// leaving it: screening within the week, vetting weeks, passage days to
// weeks, a stay in a shelter months.
var stageSpan = map[string][2]int{
	StateContacted: {0, 6}, StateScreening: {1, 10}, StateVetting: {5, 40}, StateVerified: {3, 30},
	StateInPassage: {2, 15}, StateArrived: {0, 4}, StateSheltered: {30, 240},
}

// SyntheticHistory is the history (for SetHistory) of synthetic case
// number i, contacted on day contacted and now in state: the moves that
// lead there, each a fixed, realistic number of days after the one before
// (the same for the same i), and none after today.
func SyntheticHistory(i int, state string, contacted, today time.Time) []Step {
	path := syntheticPaths[state]
	out := make([]Step, 0, len(path))
	day, from := contacted, StateContacted
	x := uint64(i)*0xD6E8FEB86659FD93 + 0x9E3779B97F4A7C15
	for _, to := range path {
		x ^= x >> 32
		x *= 0xD6E8FEB86659FD93
		span := stageSpan[from]
		day = day.AddDate(0, 0, span[0]+int((x>>33)%uint64(span[1]-span[0]+1)))
		if day.After(today) {
			day = today
		}
		out = append(out, Step{State: to, Day: day.Format(time.DateOnly)})
		from = to
	}
	return out
}
