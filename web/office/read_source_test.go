package office_test

import (
	"net/http"
	"strings"
	"testing"

	"haochaping/app/apptest"
	"haochaping/internal/database"
	"haochaping/internal/testenv"
	"haochaping/web/session"
)

// dashboardWithReplica serves the system with its reports on the replica at replicaURL ("":
// none) and returns the office's dashboard.
func dashboardWithReplica(t *testing.T, env *testenv.Env, replicaURL string) (int, string) {
	t.Helper()
	if replicaURL != "" {
		r, err := database.OpenReplica(replicaURL, env.DB, env.Log)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(r.Close)
		env.DB.Replica = r
	}
	srv := apptest.Start(env)
	h := http.Header{}
	h.Set("Accept", "text/html")
	h.Set("Cookie", session.CookieName+"="+srv.Login("office", "demo1234"))
	resp := srv.Raw("GET", "/office", nil, h)
	return resp.Status, string(resp.Body)
}

func newDashboardEnv(t *testing.T) *testenv.Env {
	env := testenv.New(t)
	env.Clock.Set(testenv.Beijing(2026, 12, 1, 10, 0, 0))
	apptest.Seed(env)
	return env
}

// TestDashboardSaysWhereItsFiguresComeFrom: with a replica the dashboard says its figures are
// the replica's; with the replica down it is still served, from the primary, and says so;
// without one it says nothing.
func TestDashboardSaysWhereItsFiguresComeFrom(t *testing.T) {
	t.Parallel()
	t.Run("no replica", func(t *testing.T) {
		t.Parallel()
		status, body := dashboardWithReplica(t, newDashboardEnv(t), "")
		if status != 200 || strings.Contains(body, `id="read-source"`) {
			t.Fatalf("without a replica: %d, a note on the source: %v", status, strings.Contains(body, `id="read-source"`))
		}
	})
	t.Run("replica down", func(t *testing.T) {
		t.Parallel()
		env := newDashboardEnv(t)
		status, body := dashboardWithReplica(t, env, testenv.UnreachableURL(t, env.Cfg.DatabaseURL))
		if status != 200 || !strings.Contains(body, "只读副本暂不可用，本页数据直接读自主库。") {
			t.Fatalf("with the replica down: %d, want the page with the fallback's note:\n%s", status, body)
		}
	})
	t.Run("replica", func(t *testing.T) {
		replicaURL := testenv.RequireReplica(t)
		t.Parallel()
		env := newDashboardEnv(t)
		status, body := dashboardWithReplica(t, env, env.ReplicaURL(replicaURL))
		if status != 200 || !strings.Contains(body, "本页数据来自只读副本") {
			t.Fatalf("with a replica: %d, want the page with the replica's note:\n%s", status, body)
		}
	})
}
