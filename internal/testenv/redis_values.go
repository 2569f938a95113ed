package testenv

import "context"

// RedisValues are the names and values of every Redis key of this test (its prefix), whatever
// their type: what a test searches when it proves something never reaches Redis. It fails the
// test when there is no key at all, since the search would then prove nothing.
func (e *Env) RedisValues(ctx context.Context) []string {
	e.T.Helper()
	keys, err := e.Redis.Keys(ctx, "*"+e.Prefix+"*").Result()
	if err != nil {
		e.T.Fatal(err)
	}
	if len(keys) == 0 {
		e.T.Fatal("testenv: no Redis keys of this test: a search would prove nothing")
	}
	var out []string
	for _, k := range keys {
		out = append(out, k)
		switch e.Redis.Type(ctx, k).Val() {
		case "string":
			out = append(out, e.Redis.Get(ctx, k).Val())
		case "hash":
			for f, v := range e.Redis.HGetAll(ctx, k).Val() {
				out = append(out, f, v)
			}
		case "list":
			out = append(out, e.Redis.LRange(ctx, k, 0, -1).Val()...)
		case "set":
			out = append(out, e.Redis.SMembers(ctx, k).Val()...)
		case "zset":
			out = append(out, e.Redis.ZRange(ctx, k, 0, -1).Val()...)
		}
	}
	return out
}
