package console

import (
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"haochaping/access"
	"haochaping/internal/problem"
	"haochaping/rectify"
	"haochaping/web/page"
	"haochaping/web/session"
)

// actionForms are the console's action forms: the fields each posts, and how they become the
// domain's input. The domain checks everything again (state, role, fields); the page only
// keeps a refused form's values and puts its messages beside the fields.
var actionForms = map[string]struct {
	fields []string
	do     func(ctx context.Context, s *rectify.Service, u *access.User, id int64, f *page.Form, files []rectify.Attachment) error
}{
	"callback": {[]string{"method", "reached", "facts", "script_id", "note"}, func(ctx context.Context, s *rectify.Service, u *access.User, id int64, f *page.Form, files []rectify.Attachment) error {
		in := rectify.CallbackInput{Common: common(f), Facts: f.Value("facts")}
		if r := f.Value("reached"); r != "" {
			in.Reached = new(r == "yes")
		}
		if sid, err := strconv.ParseInt(f.Value("script_id"), 10, 64); err == nil {
			in.ScriptID = &sid
		}
		_, err := s.Callback(ctx, u, id, in)
		return err
	}},
	"decide": {[]string{"decision", "reason", "explanation", "working_days", "note"}, func(ctx context.Context, s *rectify.Service, u *access.User, id int64, f *page.Form, files []rectify.Attachment) error {
		in := rectify.DecideInput{Common: common(f), Decision: f.Value("decision"), Reason: f.Value("reason"), Explanation: f.Value("explanation")}
		if n, err := strconv.Atoi(f.Value("working_days")); err == nil {
			in.WorkingDays = &n
		}
		_, err := s.Decide(ctx, u, id, in)
		return err
	}},
	"rectify": {[]string{"measures", "note", "files"}, func(ctx context.Context, s *rectify.Service, u *access.User, id int64, f *page.Form, files []rectify.Attachment) error {
		in := rectify.RectifyInput{Common: common(f), Measures: f.Value("measures")}
		in.Attachments = files
		_, err := s.Rectify(ctx, u, id, in)
		return err
	}},
	"feedback": {[]string{"method", "satisfaction", "note"}, func(ctx context.Context, s *rectify.Service, u *access.User, id int64, f *page.Form, files []rectify.Attachment) error {
		in := rectify.FeedbackInput{Common: common(f)}
		if n, err := strconv.Atoi(f.Value("satisfaction")); err == nil {
			in.Satisfaction = &n
		}
		_, err := s.Feedback(ctx, u, id, in)
		return err
	}},
	"close": {[]string{"note"}, func(ctx context.Context, s *rectify.Service, u *access.User, id int64, f *page.Form, files []rectify.Attachment) error {
		_, err := s.Close(ctx, u, id, common(f))
		return err
	}},
	"extension": {[]string{"reason", "working_days", "note"}, func(ctx context.Context, s *rectify.Service, u *access.User, id int64, f *page.Form, files []rectify.Attachment) error {
		n, _ := strconv.Atoi(f.Value("working_days"))
		_, err := s.RequestExtension(ctx, u, id, rectify.ExtensionInput{Common: common(f), Reason: f.Value("reason"), WorkingDays: n})
		return err
	}},
	"appeal-ruling": {[]string{"upheld", "note"}, func(ctx context.Context, s *rectify.Service, u *access.User, id int64, f *page.Form, files []rectify.Attachment) error {
		in := rectify.RulingInput{Common: common(f)}
		if v := f.Value("upheld"); v != "" {
			in.Upheld = new(v == "yes")
		}
		_, err := s.RuleAppeal(ctx, u, id, in)
		return err
	}},
	"extension-ruling": {[]string{"grant", "note"}, func(ctx context.Context, s *rectify.Service, u *access.User, id int64, f *page.Form, files []rectify.Attachment) error {
		in := rectify.ExtensionRulingInput{Common: common(f)}
		if v := f.Value("grant"); v != "" {
			in.Grant = new(v == "yes")
		}
		_, err := s.RuleExtension(ctx, u, id, in)
		return err
	}},
	"return": {[]string{"reason", "note"}, func(ctx context.Context, s *rectify.Service, u *access.User, id int64, f *page.Form, files []rectify.Attachment) error {
		_, err := s.Return(ctx, u, id, rectify.ReturnInput{Common: common(f), Reason: f.Value("reason")})
		return err
	}},
	"reassign": {[]string{"staff_no", "department_code", "note"}, func(ctx context.Context, s *rectify.Service, u *access.User, id int64, f *page.Form, files []rectify.Attachment) error {
		_, err := s.Reassign(ctx, u, id, rectify.ReassignInput{Common: common(f), StaffNo: strings.TrimSpace(f.Value("staff_no")),
			DepartmentCode: f.Value("department_code")})
		return err
	}},
	"supervise": {[]string{"note"}, func(ctx context.Context, s *rectify.Service, u *access.User, id int64, f *page.Form, files []rectify.Attachment) error {
		_, err := s.Supervise(ctx, u, id, common(f))
		return err
	}},
}

// doneMessages say, after the redirect, what was recorded.
var doneMessages = map[string]string{
	"callback": "已记录回访核实。", "decide": "已记录处理方式。", "rectify": "已记录整改措施。",
	"feedback": "已记录向评价人反馈。", "close": "工单已办结。", "extension": "已提交延期申请，等待管理机构审批。",
	"appeal-ruling": "已记录申诉裁定。", "extension-ruling": "已记录延期审批。", "supervise": "已督办。",
	"return": "已退回管理机构，等待重新分派。", "reassign": "已重新分派，回访期限重新计算。",
}

func common(f *page.Form) rectify.Common {
	return rectify.Common{Method: f.Value("method"), Note: f.Value("note")}
}

// act is POST /console/orders/{id}/{action}: the action's form, then back to the order
// (post/redirect/get), or the order again with the refused form's messages beside its fields.
func (d Deps) act(c *fiber.Ctx) error {
	id, err := orderID(c)
	if err != nil {
		return err
	}
	u := session.UserOf(c)
	action := strings.Clone(c.Params("action"))
	if action == "reveal-phone" {
		return d.revealPhone(c, u, id)
	}
	if action == "reveal-text" {
		return d.revealText(c, u, id)
	}
	a, ok := actionForms[action]
	if !ok {
		return problem.NotFound("not_found", "没有这项操作")
	}
	form := &page.Form{Values: page.FormValues(c, a.fields...)}
	files, err := d.storeFiles(c, u, id)
	if err == nil {
		err = a.do(c.UserContext(), d.Rectify, u, id, form, files)
	}
	if p, ok := problem.As(err); ok && p.Status < 500 && p.Status != fiber.StatusNotFound {
		// Shown under the form's own ids (partials/console_fields.html): the page has several forms.
		shown := &page.Form{Values: map[string][]string{}}
		fields := map[string]string{}
		for _, f := range a.fields {
			fields[f] = action + "-" + f
			shown.Values[action+"-"+f] = form.Values[f]
		}
		if _, ok := p.Fields["script_id"]; ok {
			fields["script_id"] = "" // no field of its own: at the top
		}
		shown.AddProblem(p, fields)
		return d.renderOrder(c, id, p.Status, orderView{Open: action}, shown)
	}
	if err != nil {
		return err
	}
	return c.Redirect("/console/orders/"+strconv.FormatInt(id, 10)+"?done="+action+"#timeline", fiber.StatusSeeOther)
}

// revealPhone shows the evaluator's phone for the callback, once, on a page no cache keeps;
// the domain records that this user saw it.
func (d Deps) revealPhone(c *fiber.Ctx, u *access.User, id int64) error {
	phone, err := d.Rectify.RevealPhone(c.UserContext(), u, id, rectify.Common{})
	if err != nil {
		return err
	}
	return d.renderOrder(c, id, fiber.StatusOK, orderView{Phone: phone, Open: "callback"}, nil)
}

// revealText shows the order's texts in full — the comment, the notes and facts as typed —
// on a page no cache keeps; the domain records that this user saw them.
func (d Deps) revealText(c *fiber.Ctx, u *access.User, id int64) error {
	full, err := d.Rectify.RevealText(c.UserContext(), u, id, rectify.Common{})
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return d.renderOrder(c, id, fiber.StatusOK, orderView{Full: full}, nil)
}

// storeFiles keeps the photos or files a form carries (field "files"), checked by
// rectify.StoreAttachment, for the action to name in its timeline event.
func (d Deps) storeFiles(c *fiber.Ctx, u *access.User, id int64) ([]rectify.Attachment, error) {
	mf, err := c.MultipartForm()
	if err != nil {
		return nil, nil // a form without files
	}
	var out []rectify.Attachment
	for _, fh := range mf.File["files"] {
		if fh.Size == 0 && fh.Filename == "" {
			continue // the empty file field of a form sent without a file
		}
		if fh.Size > rectify.MaxAttachmentSize {
			return nil, problem.Invalid("attachment_too_large", "files", "附件不得超过 5 MB："+fh.Filename)
		}
		data, err := readPart(fh)
		if err != nil {
			return nil, err
		}
		a, err := d.Rectify.StoreAttachment(c.UserContext(), u, id, strings.Clone(fh.Filename), data)
		if err != nil {
			if p, ok := problem.As(err); ok && p.Status == fiber.StatusUnprocessableEntity {
				return nil, problem.Invalid(p.Code, "files", p.Message+"："+fh.Filename)
			}
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

func readPart(fh *multipart.FileHeader) ([]byte, error) {
	f, err := fh.Open()
	if err != nil {
		return nil, fmt.Errorf("read upload %s: %w", fh.Filename, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, rectify.MaxAttachmentSize+1))
	if err != nil {
		return nil, fmt.Errorf("read upload %s: %w", fh.Filename, err)
	}
	return data, nil
}
