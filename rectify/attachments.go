package rectify

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"haochaping/access"
	"haochaping/internal/problem"
)

// MaxAttachmentSize bounds one photo or file of a rectification.
const MaxAttachmentSize = 5 << 20

// attachmentTypes are what a rectification may carry, known by their bytes, never by the name
// or the type the browser claims.
var attachmentTypes = map[string]bool{"image/jpeg": true, "image/png": true, "application/pdf": true}

// StoreAttachment keeps a photo or file for work order id, which actor must be able to act on
// (as for any action), and returns it as an action's Common names it. The bytes are checked:
// empty, over 5 MiB, or not a JPEG, PNG or PDF is refused (422).
func (s *Service) StoreAttachment(ctx context.Context, actor *access.User, id int64, name string, data []byte) (Attachment, error) {
	if !actor.May(access.Handle) && !actor.May(access.Rule) {
		return Attachment{}, problem.Forbidden("forbidden_action", actor.Role.Label()+"不能上传附件")
	}
	if _, err := s.Get(ctx, actor, id); err != nil {
		return Attachment{}, err
	}
	switch {
	case len(data) == 0:
		return Attachment{}, problem.Invalid("attachment_empty", "attachments", "附件是空文件")
	case len(data) > MaxAttachmentSize:
		return Attachment{}, problem.Invalid("attachment_too_large", "attachments", "附件不得超过 5 MB")
	}
	kind := http.DetectContentType(data)
	if !attachmentTypes[kind] {
		return Attachment{}, problem.Invalid("attachment_type", "attachments", "附件须为 JPG、PNG 照片或 PDF 文件")
	}
	name = strings.TrimSpace(name)
	if r := []rune(name); len(r) > 200 {
		name = string(r[:200])
	}
	if name == "" {
		name = "附件"
	}
	sum := sha256.Sum256(data)
	a := Attachment{Name: name, Size: int64(len(data)), SHA256: hex.EncodeToString(sum[:])}
	var aid int64
	if err := s.DB.Pool.QueryRow(ctx, `INSERT INTO attachments (work_order_id, name, content_type, size, sha256, data, uploaded_by, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`, id, a.Name, kind, a.Size, a.SHA256, data, actor.ID, s.now()).Scan(&aid); err != nil {
		return Attachment{}, fmt.Errorf("store attachment of work order %d: %w", id, err)
	}
	a.URL = "/console/attachments/" + strconv.FormatInt(aid, 10)
	return a, nil
}

// AttachmentFile is an attachment's content, for whoever may see its work order.
type AttachmentFile struct {
	Name, ContentType string
	Data              []byte
}

// OpenAttachment returns attachment aid if actor may see its work order; else 404.
func (s *Service) OpenAttachment(ctx context.Context, actor *access.User, aid int64) (*AttachmentFile, error) {
	var woID int64
	f := &AttachmentFile{}
	err := s.DB.Pool.QueryRow(ctx, `SELECT work_order_id, name, content_type, data FROM attachments WHERE id = $1`, aid).
		Scan(&woID, &f.Name, &f.ContentType, &f.Data)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, problem.NotFound("attachment_not_found", "附件不存在")
	}
	if err != nil {
		return nil, fmt.Errorf("open attachment %d: %w", aid, err)
	}
	if _, err := s.Get(ctx, actor, woID); err != nil {
		if p, ok := problem.As(err); ok && p.Status == 404 {
			return nil, problem.NotFound("attachment_not_found", "附件不存在")
		}
		return nil, err
	}
	return f, nil
}
