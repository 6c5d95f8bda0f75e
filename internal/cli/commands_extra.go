package cli

// extraCommands lists the subcommands that belong to capabilities beyond
// the foundation; each lives in its own file beside this one.
func extraCommands() []command {
	return []command{
		{"audit", "verify the audit log, or print its latest signed checkpoint or verifier key", runAudit},
		{"cert", "verify a membership certificate offline against the issuer's keys and revocation list", runCert},
		{"backup", "write an encrypted snapshot of a deployment (to the escrow key)", runBackup},
		{"escrow", "recover the escrow key from custodian shares (offline)", runEscrow},
		{"lockdown", "end every session and wipe every key in memory at once", runLockdown},
		{"user", "manage staff accounts: add, list, suspend, activate, reset-2fa, duress", runUser},
		{"stats", "statistics from green data; -public prints what may be published", runStats},
		{"text", "Myanmar text tools: detect, convert, normalize, romanize, match", runText},
		{"restore", "restore an encrypted snapshot into a new deployment", runRestore},
	}
}
