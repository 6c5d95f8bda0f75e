package cli

import (
	"context"
	"flag"
	"os"

	"embrace/internal/store"
)

// EnvDB names the environment variable that may hold the PostgreSQL URL, so
// a password need not appear on a command line.
const EnvDB = "EMBRACE_DB"

// dbFlags registers the -data and -db flags every deployment command takes.
type dbFlags struct {
	data string
	db   string
}

func (f *dbFlags) register(fs *flag.FlagSet, defaultData string) {
	fs.StringVar(&f.data, "data", defaultData, "the deployment's data `directory`")
	fs.StringVar(&f.db, "db", "", "PostgreSQL `URL` (postgres://…); default: SQLite in the data directory, or $"+EnvDB)
}

// url is the database URL from -db, else from the environment.
func (f *dbFlags) url() string {
	if f.db != "" {
		return f.db
	}
	return os.Getenv(EnvDB)
}

// open opens the deployment the flags name.
func (f *dbFlags) open(ctx context.Context) (store.Deployment, *store.Store, error) {
	return store.OpenDeployment(ctx, f.data, f.url())
}
