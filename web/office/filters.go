package office

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"haochaping/access"
	"haochaping/evaluation"
	"haochaping/measures"
	"haochaping/web/session"
)

// filterView is the dashboard's filter form as chosen, and its choices.
type filterView struct {
	From, To                       string // YYYY-MM-DD
	Region, Department, Hall, Chan string // codes as chosen
	Regions                        []measures.Region
	Departments, Halls             []measures.Unit
	Channels                       []choice
	Query                          url.Values // the filters, for the links that keep them
}

type choice struct{ Value, Name string }

// filterView reads back the filters statsapi.ParseQuery accepted, with the lists to choose
// from: the regions, and the departments and halls of the region chosen that the user's scope
// covers.
func (d Deps) filterView(c *fiber.Ctx, q measures.Query) (filterView, error) {
	v := filterView{From: q.From.Format("2006-01-02"), To: q.To.Format("2006-01-02"), Query: url.Values{}}
	for _, k := range []string{"region", "department", "hall", "channel"} {
		if val := strings.TrimSpace(c.Query(k)); val != "" {
			v.Query.Set(k, strings.Clone(val))
		}
	}
	v.Query.Set("from", v.From)
	v.Query.Set("to", v.To)
	v.Region, v.Department, v.Hall, v.Chan = v.Query.Get("region"), v.Query.Get("department"), v.Query.Get("hall"), v.Query.Get("channel")
	regions, err := d.Measures.Regions(c.UserContext())
	if err != nil {
		return v, err
	}
	scope, _ := session.UserOf(c).Measures()
	for _, r := range regions {
		// A district office chooses only its district; the city's office, the city or any district.
		if scope.Kind != access.ScopeRegion || r.ID == scope.ID || regions[0].ID == scope.ID {
			v.Regions = append(v.Regions, r)
		}
	}
	if v.Departments, v.Halls, err = d.Measures.Units(c.UserContext(), q.RegionID, scope); err != nil {
		return v, err
	}
	for _, ch := range evaluation.Channels {
		v.Channels = append(v.Channels, choice{string(ch), ch.Name()})
	}
	return v, nil
}

// rowsURL is the page of the rows behind a part of a measure, under these filters.
func (v filterView) rowsURL(measure, part string, page int) string {
	q := url.Values{}
	for k, vs := range v.Query {
		q[k] = vs
	}
	q.Set("measure", measure)
	q.Set("part", part)
	if page > 1 {
		q.Set("page", strconv.Itoa(page))
	}
	return "/office/rows?" + q.Encode()
}
