package apptest

import (
	"context"
	"time"
)

// Fixtures for the tests of the office's view of the upward report: the evaluations its
// records report. (The records themselves a test inserts as it needs them: upward_records is
// package upward's to write, and no code outside the tests may.)

// EvaluationOf is the evaluation a work order was made of.
func (s *Server) EvaluationOf(order int64) int64 {
	s.env.T.Helper()
	var id int64
	if err := s.env.DB.Pool.QueryRow(context.Background(), `SELECT evaluation_id FROM work_orders WHERE id = $1`, order).Scan(&id); err != nil {
		s.env.T.Fatalf("apptest: the evaluation of order %d: %v", order, err)
	}
	return id
}

// DistrictRating has the first window pad of a district (region code, e.g. 370402 市中区) record
// a rating of ticket, served an hour before the test's clock, and returns the evaluation's id: a
// rating of that district, which the city's office and the district's see, and another
// district's does not.
func (s *Server) DistrictRating(district, ticket string, level int) int64 {
	t := s.env.T
	t.Helper()
	body := map[string]any{"ticket_no": ticket, "level": level, "served_at": s.env.Clock.Now().Add(-time.Hour).Format(time.RFC3339)}
	if level <= 2 {
		body["reasons"] = []string{"服务态度"}
	}
	r := s.Signed(s.DemoDevice("demo-window-"+district+"-zh01"), "POST", "/api/v1/channels/window/evaluations", body)
	if r.Status != 201 {
		t.Fatalf("district rating %s: %d %s", ticket, r.Status, r.Body)
	}
	return int64(r.JSON(t)["id"].(float64))
}
