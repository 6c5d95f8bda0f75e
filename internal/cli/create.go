package cli

import (
	"context"

	"embrace/internal/store"
)

// createDeployment creates a deployment and everything it needs to start.
func createDeployment(ctx context.Context, dir, dbURL string, demo bool) (store.Deployment, *store.Store, error) {
	return store.CreateDeployment(ctx, dir, store.CreateOptions{DBURL: dbURL, Demo: demo})
}
