package cli

// extraCommands lists the subcommands that belong to later capabilities; each
// lives in its own file beside this one.
func extraCommands() []command {
	return []command{}
}
