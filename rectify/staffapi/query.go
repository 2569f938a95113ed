package staffapi

import (
	"fmt"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"haochaping/internal/problem"
)

// queryInt reads an integer query parameter within [lo, hi]; absent: def. A value that is not
// a number, or out of range, is refused rather than silently replaced.
func queryInt(c *fiber.Ctx, name string, def, lo, hi int) (int, error) {
	v := c.Query(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, problem.Invalid("invalid_"+name, name, fmt.Sprintf("%s 须为 %d 至 %d 的整数", name, lo, hi))
	}
	return n, nil
}

// queryBool reads a true/false query parameter; absent: false.
func queryBool(c *fiber.Ctx, name string) (bool, error) {
	v := c.Query(name)
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, problem.Invalid("invalid_"+name, name, name+" 须为 true 或 false")
	}
	return b, nil
}
