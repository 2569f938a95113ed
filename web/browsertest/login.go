package browsertest

import "github.com/chromedp/chromedp"

// LogIn signs the browser in through the staff login page it is on (wherever a staff page sent
// it), and returns the status of the page the form leads to.
func (b *Browser) LogIn(username, password string) int64 {
	b.T.Helper()
	b.Do("type the login", chromedp.SendKeys(chromedp.ID("username"), username), chromedp.SendKeys(chromedp.ID("password"), password))
	return b.Submit(`button[type=submit]`)
}
