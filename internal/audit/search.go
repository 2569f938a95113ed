package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Query selects events of the log, newest first.
type Query struct {
	Kind     string
	Actor    string
	Address  string
	From, To time.Time // instants; zero: open
	Page     int       // from 1
	PerPage  int
}

// Page is one page of events.
type Page struct {
	Items   []Event `json:"items"`
	Total   int     `json:"total"`
	Page    int     `json:"page"`
	PerPage int     `json:"per_page"`
}

// Search lists the events the query selects, newest first. The caller decides who may.
func (l *Log) Search(ctx context.Context, q Query) (*Page, error) {
	q.Page, q.PerPage = max(1, q.Page), min(max(1, q.PerPage), 500)
	var where []string
	var args []any
	add := func(clause string, v any) {
		args = append(args, v)
		where = append(where, strings.ReplaceAll(clause, "?", "$"+strconv.Itoa(len(args))))
	}
	if q.Kind != "" {
		add("kind = ?", q.Kind)
	}
	if q.Actor != "" {
		add("actor = ?", q.Actor)
	}
	if q.Address != "" {
		add("address = ?", q.Address)
	}
	if !q.From.IsZero() {
		add("at >= ?", q.From)
	}
	if !q.To.IsZero() {
		add("at < ?", q.To)
	}
	cond := "TRUE"
	if len(where) > 0 {
		cond = strings.Join(where, " AND ")
	}
	p := &Page{Items: []Event{}, Page: q.Page, PerPage: q.PerPage}
	if err := l.DB.Pool.QueryRow(ctx, `SELECT count(*) FROM security_audit WHERE `+cond, args...).Scan(&p.Total); err != nil {
		return nil, fmt.Errorf("audit search: %w", err)
	}
	args = append(args, q.PerPage, (q.Page-1)*q.PerPage)
	rows, err := l.DB.Pool.Query(ctx, `SELECT id, at, kind, actor, address, method, path, status, code, detail::text
		FROM security_audit WHERE `+cond+fmt.Sprintf(` ORDER BY id DESC LIMIT $%d OFFSET $%d`, len(args)-1, len(args)), args...)
	if err != nil {
		return nil, fmt.Errorf("audit search: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var e Event
		var detail string
		if err := rows.Scan(&e.ID, &e.At, &e.Kind, &e.Actor, &e.Address, &e.Method, &e.Path, &e.Status, &e.Code, &detail); err != nil {
			return nil, fmt.Errorf("audit search: %w", err)
		}
		if detail != "{}" {
			_ = json.Unmarshal([]byte(detail), &e.Detail)
		}
		p.Items = append(p.Items, e)
	}
	return p, rows.Err()
}

// KindNames are the events' Chinese names, for the page.
var KindNames = map[string]string{
	"login_ok": "登录成功", "login_refused": "登录失败", "unauthenticated": "未登录访问", "forbidden": "越权访问被拒",
	"signature_refused": "设备签名被拒", "phone_revealed": "查看评价人电话", "text_revealed": "查看完整内容", "export": "导出台账", "import": "导入台账",
	"user_changed": "账号变更", "device_changed": "设备变更", "organisation_changed": "机构变更", "setting_changed": "参数变更",
	"script_changed": "回访话术变更", "password_changed": "修改本人密码",
	"login_pending": "密码正确，待双因素验证", "totp_refused": "双因素验证码错误", "totp_enrolled": "设置双因素认证",
	"recovery_code_used": "使用恢复码登录", "recovery_codes_regenerated": "重新生成恢复码", "totp_reset": "重置双因素认证",
	"upward_resent": "重新上报省平台",
}
