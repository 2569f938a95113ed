package admin

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"

	"haochaping/evaluation"
	"haochaping/internal/problem"
	"haochaping/web/page"
	"haochaping/web/session"
)

// The settings page: a region of the administrator's scope (or the city-wide default, for the
// city's administrator), each setting's value in force with its source, and a small form a row
// to set the region's own value or clear it. The evaluation service checks the value and the
// scope, as for the API.

// registerSettings mounts the page of the settings per region.
func (d Deps) registerSettings(r fiber.Router, route routeFunc) {
	r.Get("/admin/settings", route(d.showSettings)...)
	r.Post("/admin/settings/:region/:key", route(d.setSetting)...)
	r.Post("/admin/settings/:region/:key/clear", route(d.clearSetting)...)
}

// settingsView is the settings page of one region.
type settingsView struct {
	Settings *evaluation.RegionSettings
	Regions  []option // the picker: the regions in scope, and the city-wide default if the administrator may change it
	Saved    string
}

// showSettings is GET /admin/settings?region=CODE[&saved=KEY|&cleared=KEY].
func (d Deps) showSettings(c *fiber.Ctx) error {
	v := settingsView{}
	for param, what := range map[string]string{"saved": "已保存", "cleared": "已清除本地区的值，恢复继承："} {
		if key := c.Query(param); key != "" {
			if k, err := evaluation.SettingKeyOf(key); err == nil {
				v.Saved = what + "“" + k.Name + "”。"
			}
		}
	}
	return d.renderSettings(c, fiber.StatusOK, strings.Clone(c.Query("region")), v, nil)
}

// setSetting is POST /admin/settings/{region}/{key}: the region's own value.
func (d Deps) setSetting(c *fiber.Ctx) error {
	region, key := pathParam(c, "region"), pathParam(c, "key")
	form := &page.Form{Values: map[string][]string{"value-" + key: page.FormValues(c, "value")["value"]}}
	_, err := d.Evaluation.SetSetting(c.UserContext(), session.UserOf(c), region, key, form.Value("value-"+key))
	if err != nil {
		var p *problem.Error
		if errors.As(err, &p) && p.Status == fiber.StatusUnprocessableEntity {
			form.Add("value-"+key, p.Message)
			return d.renderSettings(c, fiber.StatusUnprocessableEntity, region, settingsView{}, form)
		}
		return err
	}
	return settingsRedirect(c, region, "saved", key)
}

// clearSetting is POST /admin/settings/{region}/{key}/clear: back to the value inherited.
func (d Deps) clearSetting(c *fiber.Ctx) error {
	region, key := pathParam(c, "region"), pathParam(c, "key")
	if _, err := d.Evaluation.ClearSetting(c.UserContext(), session.UserOf(c), region, key); err != nil {
		return err
	}
	return settingsRedirect(c, region, "cleared", key)
}

func settingsRedirect(c *fiber.Ctx, region, what, key string) error {
	return c.Redirect(fmt.Sprintf("/admin/settings?region=%s&%s=%s#setting-%s", url.QueryEscape(region), what,
		url.QueryEscape(key), url.QueryEscape(key)), fiber.StatusSeeOther)
}

func (d Deps) renderSettings(c *fiber.Ctx, status int, region string, v settingsView, form *page.Form) error {
	ctx, u := c.UserContext(), session.UserOf(c)
	rs, err := d.Evaluation.Settings(ctx, u, region)
	if err != nil {
		return err
	}
	regions, err := d.Evaluation.Regions(ctx, u)
	if err != nil {
		return err
	}
	if rs.MayEditDefault {
		v.Regions = append(v.Regions, option{evaluation.DefaultRegionCode, "全市默认（各地区未单独设置时采用）"})
	}
	for _, r := range regions {
		v.Regions = append(v.Regions, option{r.Code, strings.Repeat("　", r.Depth) + r.Name})
	}
	v.Settings = rs
	title := "参数设置：" + rs.Region.Name
	if form.Failed() {
		title += "（请修改后重新提交）"
	}
	return d.Pages.Render(c, status, "admin_settings", page.View{Title: title, Layout: "wide", Form: form, Data: v})
}
