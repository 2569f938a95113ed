package loadgen

import (
	"fmt"
	"net/url"
	"strings"
	"sync/atomic"
)

// servers are the instances a load is spread over: several API processes behind no balancer,
// as a scale-out run starts them. Each attempt goes to the next one in turn, so that the
// instances share the load evenly and a retry tries another instance, as a balancer would.
type servers struct {
	bases []string
	next  atomic.Uint64
}

// ParseURLs splits --url's comma-separated list into the servers' base URLs, each an absolute
// http(s) URL without a trailing slash.
func ParseURLs(list string) ([]string, error) {
	var out []string
	for _, part := range strings.Split(list, ",") {
		base := strings.TrimRight(strings.TrimSpace(part), "/")
		u, err := url.Parse(base)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("server URL %q: want http://HOST:PORT", part)
		}
		out = append(out, base)
	}
	return out, nil
}

func newServers(list string) (*servers, error) {
	bases, err := ParseURLs(list)
	if err != nil {
		return nil, err
	}
	return &servers{bases: bases}, nil
}

// pick is the base URL of the next attempt.
func (s *servers) pick() string {
	if len(s.bases) == 1 {
		return s.bases[0]
	}
	return s.bases[(s.next.Add(1)-1)%uint64(len(s.bases))]
}
