package page

import (
	"net/url"
	"strconv"
)

// Pager is the way from one page of a list to the pages before and after it, as the partial
// "pager" shows it.
type Pager struct {
	Page, Pages      int
	PrevURL, NextURL string
}

// NewPager is the pager of page (from 1) of pages, whose links are path with the filters q and
// the page number.
func NewPager(path string, q url.Values, page, pages int) Pager {
	link := func(n int) string {
		v := url.Values{}
		for k, vs := range q {
			v[k] = vs
		}
		v.Set("page", strconv.Itoa(n))
		return path + "?" + v.Encode()
	}
	p := Pager{Page: page, Pages: max(1, pages)}
	if page > 1 {
		p.PrevURL = link(page - 1)
	}
	if page < p.Pages {
		p.NextURL = link(page + 1)
	}
	return p
}
