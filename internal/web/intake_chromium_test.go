package web

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"embrace/internal/auth"
	"embrace/internal/store/storetest"
	"embrace/internal/testtool"
)

// cdp speaks the Chrome DevTools protocol over --remote-debugging-pipe
// (NUL-separated JSON on file descriptors 3 and 4): no WebSocket, no
// dependency, and no page script is ever run.
type cdp struct {
	t       *testing.T
	w       io.Writer
	mu      sync.Mutex
	next    int
	waiting map[int]chan json.RawMessage
	events  chan cdpEvent
	session string
}

type cdpEvent struct {
	Method    string          `json:"method"`
	SessionID string          `json:"sessionId"`
	Params    json.RawMessage `json:"params"`
}

func (c *cdp) read(r io.Reader) {
	br := bufio.NewReader(r)
	for {
		msg, err := br.ReadBytes(0)
		if err != nil {
			close(c.events)
			return
		}
		var m struct {
			ID     int             `json:"id"`
			Result json.RawMessage `json:"result"`
			Error  json.RawMessage `json:"error"`
			cdpEvent
		}
		if json.Unmarshal(msg[:len(msg)-1], &m) != nil {
			continue
		}
		if m.ID != 0 {
			c.mu.Lock()
			ch := c.waiting[m.ID]
			delete(c.waiting, m.ID)
			c.mu.Unlock()
			if m.Error != nil {
				ch <- append(json.RawMessage(`{"__error":`), append(m.Error, '}')...)
			} else {
				ch <- m.Result
			}
			continue
		}
		select {
		case c.events <- m.cdpEvent:
		default: // drop events nobody waits for
		}
	}
}

// call sends a command (to the attached page when there is one) and
// returns its result.
func (c *cdp) call(method string, params any) json.RawMessage {
	c.t.Helper()
	c.mu.Lock()
	c.next++
	id := c.next
	ch := make(chan json.RawMessage, 1)
	c.waiting[id] = ch
	msg := map[string]any{"id": id, "method": method, "params": params}
	if c.session != "" && !strings.HasPrefix(method, "Target.") {
		msg["sessionId"] = c.session
	}
	b, _ := json.Marshal(msg)
	_, err := c.w.Write(append(b, 0))
	c.mu.Unlock()
	if err != nil {
		c.t.Fatalf("cdp %s: %v", method, err)
	}
	select {
	case res := <-ch:
		if strings.HasPrefix(string(res), `{"__error"`) {
			c.t.Fatalf("cdp %s: %s", method, res)
		}
		return res
	case <-time.After(30 * time.Second):
		c.t.Fatalf("cdp %s: no answer", method)
	}
	return nil
}

// waitLoad waits for the page's next load event.
func (c *cdp) waitLoad() {
	c.t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		select {
		case ev, ok := <-c.events:
			if !ok {
				c.t.Fatal("browser went away")
			}
			if ev.Method == "Page.loadEventFired" {
				return
			}
		case <-deadline:
			c.t.Fatal("page did not load")
		}
	}
}

func (c *cdp) navigate(url string) {
	c.t.Helper()
	c.call("Page.navigate", map[string]any{"url": url})
	c.waitLoad()
}

func (c *cdp) node(selector string) int {
	c.t.Helper()
	var doc struct{ Root struct{ NodeID int } }
	json.Unmarshal(c.call("DOM.getDocument", map[string]any{"depth": 0}), &doc)
	var q struct{ NodeID int }
	json.Unmarshal(c.call("DOM.querySelector", map[string]any{"nodeId": doc.Root.NodeID, "selector": selector}), &q)
	if q.NodeID == 0 {
		c.t.Fatalf("no element %s on the page:\n%s", selector, c.html())
	}
	return q.NodeID
}

func (c *cdp) html() string {
	var doc struct{ Root struct{ NodeID int } }
	json.Unmarshal(c.call("DOM.getDocument", map[string]any{"depth": 0}), &doc)
	var out struct{ OuterHTML string }
	json.Unmarshal(c.call("DOM.getOuterHTML", map[string]any{"nodeId": doc.Root.NodeID}), &out)
	return out.OuterHTML
}

func (c *cdp) text(selector string) string {
	var out struct{ OuterHTML string }
	json.Unmarshal(c.call("DOM.getOuterHTML", map[string]any{"nodeId": c.node(selector)}), &out)
	s := out.OuterHTML
	if i := strings.Index(s, ">"); i >= 0 {
		s = s[i+1:]
	}
	if i := strings.LastIndex(s, "<"); i >= 0 {
		s = s[:i]
	}
	return s
}

// typeInto focuses a field and types text into it, as a person would.
func (c *cdp) typeInto(selector, text string) {
	c.t.Helper()
	c.call("DOM.focus", map[string]any{"nodeId": c.node(selector)})
	c.call("Input.insertText", map[string]any{"text": text})
}

// click scrolls an element into view and clicks its centre.
func (c *cdp) click(selector string) {
	c.t.Helper()
	n := c.node(selector)
	c.call("DOM.scrollIntoViewIfNeeded", map[string]any{"nodeId": n})
	var box struct{ Model struct{ Content []float64 } }
	json.Unmarshal(c.call("DOM.getBoxModel", map[string]any{"nodeId": n}), &box)
	q := box.Model.Content
	if len(q) < 8 {
		c.t.Fatalf("no box for %s", selector)
	}
	x, y := (q[0]+q[4])/2, (q[1]+q[5])/2
	for _, typ := range []string{"mousePressed", "mouseReleased"} {
		c.call("Input.dispatchMouseEvent", map[string]any{"type": typ, "x": x, "y": y, "button": "left", "clickCount": 1})
	}
}

// startChromium starts headless Chromium with JavaScript off, driven over
// a DevTools pipe, with a page attached; it is stopped when the test ends.
// A missing Chromium skips the test (fails it in CI: testtool.Path).
func startChromium(t *testing.T) *cdp {
	t.Helper()
	bin := testtool.Path(t, "chromium", "chromium")
	// The profile is removed by hand once every Chromium process is gone:
	// its helpers may still be writing when the browser itself exits.
	dir, err := os.MkdirTemp("", "embrace-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	toBrowser, cmdIn, _ := os.Pipe()
	cmdOut, fromBrowser, _ := os.Pipe()
	cmd := exec.Command(bin, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--user-data-dir="+filepath.Join(dir, "profile"),
		"--blink-settings=scriptEnabled=false", "--remote-debugging-pipe", "about:blank")
	cmd.ExtraFiles = []*os.File{toBrowser, fromBrowser} // fd 3: commands in, fd 4: answers out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		os.RemoveAll(dir)
		t.Fatalf("chromium does not start: %v", err)
	}
	toBrowser.Close()
	fromBrowser.Close()
	t.Cleanup(func() {
		cmdIn.Close()
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // the browser and its helpers
		cmd.Wait()
		for range 50 {
			if os.RemoveAll(dir) == nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
	c := &cdp{t: t, w: cmdIn, waiting: map[int]chan json.RawMessage{}, events: make(chan cdpEvent, 64)}
	go c.read(cmdOut)

	var target struct{ TargetID string }
	json.Unmarshal(c.call("Target.createTarget", map[string]any{"url": "about:blank"}), &target)
	var att struct{ SessionID string }
	json.Unmarshal(c.call("Target.attachToTarget", map[string]any{"targetId": target.TargetID, "flatten": true}), &att)
	c.session = att.SessionID
	c.call("Page.enable", map[string]any{})
	c.call("DOM.enable", map[string]any{})
	return c
}

// signIn signs username in through the login form, in English, with the
// test password and a TOTP code.
func (c *cdp) signIn(base, username, code string) {
	c.t.Helper()
	c.navigate(base + "/login?lang=en")
	c.typeInto("#username", username)
	c.typeInto("#password", webTestPassword)
	c.typeInto("#code", code)
	c.click("button[type=submit]")
	c.waitLoad()
}

// TestIntakeChromiumJourney drives headless Chromium with JavaScript off
// through the applicant's whole journey: open /contact, fill and send the
// form with an attachment, keep the receipt, come back, read a staff reply
// and answer it. It skips when Chromium is not installed.
func TestIntakeChromiumJourney(t *testing.T) {
	st := storetest.New(t, storetest.Targets(t)[0])
	e := newAuthEnv(t, st, auth.Config{})
	officerCookie := e.intakeOfficer(t, "officer")
	ts := httptest.NewServer(e.h)
	defer ts.Close()

	dir := t.TempDir()
	photo := filepath.Join(dir, "id-photo.png")
	os.WriteFile(photo, []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR-chromium-test"), 0o600)

	c := startChromium(t)

	// 1. The contact page, in Burmese by default; switch to English.
	c.navigate(ts.URL + "/contact")
	if !strings.Contains(c.html(), `lang="my"`) {
		t.Fatal("contact page is not Burmese by default")
	}
	c.navigate(ts.URL + "/contact?lang=en")
	c.call("DOM.setAttributeValue", map[string]any{"nodeId": c.node(`input[name=who][value=soldier]`), "name": "checked", "value": ""})
	c.call("DOM.setAttributeValue", map[string]any{"nodeId": c.node(`#service option[value=army]`), "name": "selected", "value": ""})
	c.call("DOM.setAttributeValue", map[string]any{"nodeId": c.node(`#region option[value=MMR013]`), "name": "selected", "value": ""})
	c.typeInto("#rank", "Corporal")
	c.typeInto("#unit", "LIB 99")
	c.typeInto("#place", "Chromium-Place-1")
	c.typeInto("#message", "Chromium-Message-1: I want to leave.")
	c.call("DOM.setFileInputFiles", map[string]any{"nodeId": c.node("#files"), "files": []string{photo}})
	e.clock.Advance(5 * time.Second) // the minimum fill time
	c.click("button[type=submit]")
	c.waitLoad()

	// 2. The receipt, shown in both digit sets.
	receipt := c.text("#receipt")
	if len(strings.ReplaceAll(receipt, " ", "")) != 28 || c.text("#receipt-my") == "" {
		t.Fatalf("no receipt on the page:\n%s", c.html())
	}

	// 3. An intake officer replies (through the intake capability).
	ctx := context.Background()
	q, err := e.srv.cfg.Intake.Queue(ctx, "new", 10)
	if err != nil || len(q) != 1 {
		t.Fatalf("queue: %v", err)
	}
	sess, err := e.svc.Authenticate(ctx, officerCookie.Value, auth.KindWeb)
	if err != nil {
		t.Fatal(err)
	}
	officer := sess.Keyring()
	if err := e.srv.cfg.Intake.Reply(ctx, officer, q[0].ID, "user:officer", "officer", "Chromium-Reply-2: we will contact you."); err != nil {
		t.Fatal(err)
	}

	// 4. The applicant comes back, types the receipt, reads the reply, answers.
	c.navigate(ts.URL + "/contact/thread")
	c.typeInto("#receipt", receipt)
	c.click("button[type=submit]")
	c.waitLoad()
	page := c.html()
	if !strings.Contains(page, "Chromium-Reply-2") || !strings.Contains(page, "Chromium-Message-1") || !strings.Contains(page, "id-photo.png") {
		t.Fatalf("thread does not show the reply:\n%s", page)
	}
	c.typeInto("#message", "Chromium-Answer-3: thank you")
	c.click("button[type=submit]")
	c.waitLoad()
	if !strings.Contains(c.html(), "Chromium-Answer-3") {
		t.Fatalf("answer not in the thread:\n%s", c.html())
	}
	full, err := e.srv.cfg.Intake.Contact(ctx, officer, q[0].ID, "user:officer")
	if err != nil || len(full.Messages) != 3 || full.Messages[2].Text != "Chromium-Answer-3: thank you" || full.Unit != "LIB 99" || full.Service != "army" || full.Region != "MMR013" {
		t.Fatalf("officer's view after the journey: %v %+v", err, full.Summary)
	}
	if len(full.Messages[0].Files) != 1 || full.Messages[0].Files[0].Name != "id-photo.png" {
		t.Fatal("attachment lost")
	}
}
