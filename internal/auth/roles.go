package auth

import (
	"fmt"
	"slices"
	"strings"
)

// Role is one of the staff roles of DESIGN §1.
type Role string

// The roles of DESIGN §1 that have accounts (applicants, guides and
// custodians have none).
const (
	RoleIntakeOfficer      Role = "intake_officer"
	RoleVettingOfficer     Role = "vetting_officer"
	RoleVettingLead        Role = "vetting_lead"
	RoleCaseHandler        Role = "case_handler"
	RolePassageCoordinator Role = "passage_coordinator"
	RoleShelterCoordinator Role = "shelter_coordinator"
	RoleFinanceOfficer     Role = "finance_officer"
	RoleCertifyingOfficer  Role = "certifying_officer"
	RoleAnalyst            Role = "analyst"
	RoleAdministrator      Role = "administrator"
)

// Roles lists every role, in a fixed order.
func Roles() []Role {
	return []Role{RoleIntakeOfficer, RoleVettingOfficer, RoleVettingLead, RoleCaseHandler,
		RolePassageCoordinator, RoleShelterCoordinator, RoleFinanceOfficer, RoleCertifyingOfficer,
		RoleAnalyst, RoleAdministrator}
}

// Team names a team principal (DESIGN §4): its key pair is wrapped to each
// member and to escrow.
type Team string

// The standard teams.
const (
	TeamIntake        Team = "intake"
	TeamVetting       Team = "vetting"
	TeamCasework      Team = "casework"
	TeamPassage       Team = "passage"
	TeamShelter       Team = "shelter"
	TeamFinance       Team = "finance"
	TeamCertification Team = "certification"
	// TeamWatchList holds the informer watch list: its entries' keys, its
	// blind-index key and the alerts. Only vetting leads (and escrow, and
	// the steward until it leaves) hold it; anyone may seal a screening
	// record to its public key.
	TeamWatchList Team = "watchlist"
)

// Teams lists the standard teams, in a fixed order.
func Teams() []Team {
	return []Team{TeamIntake, TeamVetting, TeamCasework, TeamPassage, TeamShelter, TeamFinance, TeamCertification, TeamWatchList}
}

// Permission is something a route or capability method may require. Every
// decision "may this person do that" is Can(roles, permission): the table
// below is the only place roles turn into rights. Keys still decide what a
// person can read (DESIGN §2 invariant 3); permissions decide what they may
// attempt.
type Permission string

// Permissions. Capabilities add theirs here, with the roles that hold them
// in rolePermissions.
const (
	// PermSelf: the signed-in person's own things — workspace, sessions,
	// duress password, sign-out. Every role has it.
	PermSelf Permission = "self"

	PermIntakeQueue   Permission = "intake.queue"   // read new contacts, reply
	PermCaseOpen      Permission = "case.open"      // open a case from a contact
	PermCaseRead      Permission = "case.read"      // read cases one's keys open
	PermCaseHandle    Permission = "case.handle"    // family, tasks, notes
	PermCaseAssign    Permission = "case.assign"    // assign a case to a handler
	PermVettingCheck  Permission = "vetting.check"  // record checks and evidence
	PermVettingDecide Permission = "vetting.decide" // decide a vetting
	PermVettingAssign Permission = "vetting.assign" // assign vetting work
	PermWatchList     Permission = "watchlist.manage"
	PermPassagePlan   Permission = "passage.plan"
	PermShelter       Permission = "shelter.manage"
	PermFinance       Permission = "finance.manage"
	PermCertify       Permission = "cert.issue" // issue and revoke certificates
	PermStats         Permission = "stats.view"
	PermStatsPublish  Permission = "stats.publish"

	PermAccounts Permission = "admin.accounts" // accounts, roles, teams
	PermPartners Permission = "admin.partners"
	PermSettings Permission = "admin.settings"
	PermAudit    Permission = "admin.audit"
	PermAlerts   Permission = "admin.alerts"   // duress and lockdown alerts
	PermLockdown Permission = "admin.lockdown" // end every session at once
)

// rolePermissions is the one table of rights. A permission not listed for a
// role is refused.
var rolePermissions = map[Role][]Permission{
	RoleIntakeOfficer:      {PermSelf, PermIntakeQueue, PermCaseOpen, PermCaseRead, PermCaseAssign},
	RoleVettingOfficer:     {PermSelf, PermCaseRead, PermVettingCheck, PermVettingDecide},
	RoleVettingLead:        {PermSelf, PermCaseRead, PermVettingCheck, PermVettingDecide, PermVettingAssign, PermWatchList, PermCaseAssign},
	RoleCaseHandler:        {PermSelf, PermCaseRead, PermCaseHandle, PermCaseAssign},
	RolePassageCoordinator: {PermSelf, PermCaseRead, PermPassagePlan},
	RoleShelterCoordinator: {PermSelf, PermShelter},
	RoleFinanceOfficer:     {PermSelf, PermFinance},
	RoleCertifyingOfficer:  {PermSelf, PermCertify},
	RoleAnalyst:            {PermSelf, PermStats, PermStatsPublish},
	RoleAdministrator:      {PermSelf, PermAccounts, PermPartners, PermSettings, PermAudit, PermAlerts, PermLockdown, PermStats},
}

// Permissions lists every permission some role holds, sorted.
func Permissions() []Permission {
	var out []Permission
	for _, ps := range rolePermissions {
		for _, p := range ps {
			if !slices.Contains(out, p) {
				out = append(out, p)
			}
		}
	}
	slices.Sort(out)
	return out
}

// KnownPermission reports whether some role holds p. A route that declares
// an unknown permission (a typo, or none at all) is a bug.
func KnownPermission(p Permission) bool {
	return slices.Contains(Permissions(), p)
}

// Can reports whether a person with roles may do what p names.
func Can(roles []Role, p Permission) bool {
	for _, r := range roles {
		if slices.Contains(rolePermissions[r], p) {
			return true
		}
	}
	return false
}

// duressPermissions are what a duress session may still use: its own pages,
// which show nothing of the person's work, and lockdown, which only
// protects. Everything else sends it to its (empty) workspace.
var duressPermissions = []Permission{PermSelf, PermAlerts, PermLockdown}

// DuressSafe reports whether a duress session may use a route that needs p.
func DuressSafe(p Permission) bool { return slices.Contains(duressPermissions, p) }

// ParseRoles parses a comma-separated list of roles.
func ParseRoles(s string) ([]Role, error) {
	var out []Role
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		r := Role(f)
		if !slices.Contains(Roles(), r) {
			return nil, fmt.Errorf("%w: unknown role %q", ErrInvalid, f)
		}
		if !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: name at least one role", ErrInvalid)
	}
	return out, nil
}

// ParseTeams parses a comma-separated list of teams; empty is no team.
func ParseTeams(s string) ([]Team, error) {
	var out []Team
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		t := Team(f)
		if !slices.Contains(Teams(), t) {
			return nil, fmt.Errorf("%w: unknown team %q", ErrInvalid, f)
		}
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out, nil
}
