package web

import (
	"context"
	"sort"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/redis/go-redis/v9"

	"haochaping/internal/database"
)

// readinessTimeout keeps /readyz inside the 2 seconds a load balancer waits.
const readinessTimeout = 1500 * time.Millisecond

// readiness answers 200 when PostgreSQL and Redis both answer, else 503 naming what is down.
func readiness(db *database.DB, rdb redis.UniversalClient) fiber.Handler {
	return func(c *fiber.Ctx) error {
		ctx, cancel := context.WithTimeout(c.UserContext(), readinessTimeout)
		defer cancel()
		checks := map[string]func(context.Context) error{
			"postgres": db.Pool.Ping,
			"redis":    func(ctx context.Context) error { return rdb.Ping(ctx).Err() },
		}
		var mu sync.Mutex
		var wg sync.WaitGroup
		status := map[string]string{}
		var down []string
		for name, check := range checks {
			wg.Add(1)
			go func() {
				defer wg.Done()
				err := check(ctx)
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					status[name] = "down: " + err.Error()
					down = append(down, name)
				} else {
					status[name] = "ok"
				}
			}()
		}
		wg.Wait()
		sort.Strings(down)
		if len(down) > 0 {
			return c.Status(fiber.StatusServiceUnavailable).JSON(fiber.Map{
				"code": "not_ready", "message": "依赖服务不可用", "down": down, "checks": status})
		}
		return c.JSON(fiber.Map{"status": "ready", "checks": status})
	}
}
