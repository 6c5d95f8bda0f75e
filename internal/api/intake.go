package api

import (
	"errors"
	"mime"
	"net"
	"net/http"
	"strconv"

	"embrace/internal/auth"
	"embrace/internal/intake"
	"embrace/internal/store"
)

// intakeRoutes registers the anonymous intake routes (public, with the
// same form tokens and flood defences as the web form) and the intake
// team's inbox (bearer, intake.queue).
func (a *API) intakeRoutes() {
	body := intake.DefaultConfig().MaxBody()
	if a.cfg.Intake != nil {
		body = a.cfg.Intake.Config().MaxBody()
	}
	a.add("GET", "/intake/token", a.intakeToken)
	a.routes = append(a.routes, route{method: "POST", path: "/intake", limit: body, h: a.intakeSubmit})
	a.add("GET", "/intake/thread", a.intakeThread)
	a.routes = append(a.routes, route{method: "POST", path: "/intake/thread", limit: body, h: a.intakeFollowUp})
	a.add("GET", "/inbox", a.bearer(auth.PermIntakeQueue, a.inboxList))
	a.add("GET", "/inbox/{id}", a.bearer(auth.PermIntakeQueue, a.inboxGet))
}

// intakeError answers an intake error with the API's error shape.
func intakeError(w http.ResponseWriter, err error) {
	code := intake.Code(err)
	status := http.StatusBadRequest
	msg := "The request is not valid: check it and send it again. Nothing was stored."
	var be *intake.BusyError
	switch {
	case errors.As(err, &be):
		secs := max(int(be.RetryAfter.Seconds()), 1)
		w.Header().Set("Retry-After", strconv.Itoa(secs))
		status = http.StatusServiceUnavailable
		if be.RateLimit {
			status = http.StatusTooManyRequests
		}
		msg = "Too many contacts right now. Nothing was stored. Try again after Retry-After seconds."
	case code == "token_missing" || code == "token_invalid" || code == "token_expired" || code == "token_too_fresh":
		msg = "The form token is missing, invalid, expired or too fresh. Get one from GET /api/v1/intake/token, wait min_wait_seconds, and send again."
	case code == "token_replayed":
		status, msg = http.StatusConflict, "This form token was already used. Get a new one."
	case code == "too_large" || code == "file_too_large":
		status, msg = http.StatusRequestEntityTooLarge, "The request or a file is too large (at most 5 files of 10 MB). Nothing was stored."
	case code == "file_type":
		status, msg = http.StatusUnsupportedMediaType, "Attachments must be images or PDF files. Nothing was stored."
	case code == "too_many_files":
		msg = "Too many files: send at most 5. Nothing was stored."
	case code == "invalid":
		msg = "The field " + intake.Field(err) + " is not valid: check it and send again. Nothing was stored."
	case code == "receipt_format":
		msg = "A receipt is 28 digits (Burmese or Latin), in the X-Receipt header."
	case code == "receipt_typo":
		msg = "The receipt has a typing mistake: check each digit."
	case code == "wrong_receipt", code == "not_found":
		status, msg = http.StatusNotFound, "There is nothing here."
	case code == "internal":
		status, msg = http.StatusInternalServerError, "The server could not finish this request. Try again in a moment."
	}
	WriteError(w, status, code, msg)
}

func (a *API) intakeAvailable(w http.ResponseWriter) bool {
	if a.cfg.Intake == nil {
		WriteError(w, http.StatusServiceUnavailable, "unavailable", "Intake is not set up on this server.")
		return false
	}
	return true
}

func clientOf(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func (a *API) intakeToken(w http.ResponseWriter, r *http.Request) {
	if !a.intakeAvailable(w) {
		return
	}
	tok, err := a.cfg.Intake.IssueToken()
	if err != nil {
		intakeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"token": tok, "min_wait_seconds": int(a.cfg.Intake.Config().MinFill.Seconds())})
}

func (a *API) intakeSubmit(w http.ResponseWriter, r *http.Request) {
	if !a.intakeAvailable(w) {
		return
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	var rec intake.Receipt
	var err error
	switch mt {
	case "application/json":
		var f intake.Form
		if !decodeJSON(w, r, &f) {
			return
		}
		rec, err = a.cfg.Intake.Submit(r.Context(), clientOf(r), f, nil)
	case "multipart/form-data":
		mr, merr := r.MultipartReader()
		if merr != nil {
			intakeError(w, intake.ErrMalformed)
			return
		}
		rec, err = a.cfg.Intake.SubmitMultipart(r.Context(), clientOf(r), mr)
	default:
		WriteError(w, http.StatusUnsupportedMediaType, "bad_content_type", "Send application/json, or multipart/form-data with attachments.")
		return
	}
	if err != nil {
		if intake.Code(err) == "internal" {
			a.log.Error("intake: submit", "err", err)
		}
		intakeError(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]string{"receipt": rec.Groups(), "receipt_my": rec.Burmese()})
}

// messageJSON is a thread message in the API.
type messageJSON struct {
	Author string           `json:"author"`
	By     string           `json:"by,omitempty"`
	Day    string           `json:"day"`
	Text   string           `json:"text"`
	Files  []attachmentJSON `json:"files"`
}

type attachmentJSON struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Type string `json:"type"`
	Size int64  `json:"size"`
}

func messagesJSON(ms []intake.Message) []messageJSON {
	out := make([]messageJSON, 0, len(ms))
	for _, m := range ms {
		j := messageJSON{Author: m.Author, By: m.By, Day: m.Day, Text: m.Text, Files: []attachmentJSON{}}
		for _, f := range m.Files {
			j.Files = append(j.Files, attachmentJSON{ID: f.ID, Name: f.Name, Type: f.Type, Size: f.Size})
		}
		out = append(out, j)
	}
	return out
}

func (a *API) intakeThread(w http.ResponseWriter, r *http.Request) {
	if !a.intakeAvailable(w) {
		return
	}
	th, err := a.cfg.Intake.OpenThread(r.Context(), clientOf(r), r.Header.Get("X-Receipt"))
	if err != nil {
		if intake.Code(err) == "internal" {
			a.log.Error("intake: thread", "err", err)
		}
		intakeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"messages": messagesJSON(th.Messages)})
}

// followUpJSON is the JSON body of an applicant's follow-up.
type followUpJSON struct {
	Message string `json:"message"`
}

// intakeFollowUp adds the receipt holder's message (JSON, or multipart with
// a message part and files) to the thread the X-Receipt header opens, and
// answers the thread.
func (a *API) intakeFollowUp(w http.ResponseWriter, r *http.Request) {
	if !a.intakeAvailable(w) {
		return
	}
	receipt := r.Header.Get("X-Receipt")
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	var th intake.Thread
	var err error
	switch mt {
	case "application/json":
		var f followUpJSON
		if !decodeJSON(w, r, &f) {
			return
		}
		th, err = a.cfg.Intake.FollowUp(r.Context(), clientOf(r), receipt, f.Message, nil)
	case "multipart/form-data":
		mr, merr := r.MultipartReader()
		if merr != nil {
			intakeError(w, intake.ErrMalformed)
			return
		}
		th, err = a.cfg.Intake.FollowUpReceiptMultipart(r.Context(), clientOf(r), receipt, mr)
	default:
		WriteError(w, http.StatusUnsupportedMediaType, "bad_content_type", "Send application/json, or multipart/form-data with attachments.")
		return
	}
	if err != nil {
		if intake.Code(err) == "internal" {
			a.log.Error("intake: follow-up", "err", err)
		}
		intakeError(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"messages": messagesJSON(th.Messages)})
}

type contactSummaryJSON struct {
	ID       string `json:"id"`
	Status   string `json:"status"`
	Channel  string `json:"channel"`
	Who      string `json:"who"`
	Service  string `json:"service"`
	RankBand string `json:"rank_band"`
	Region   string `json:"region"`
	Month    string `json:"month"`
	Created  string `json:"created"`
	Updated  string `json:"updated"`
	CaseID   int64  `json:"case_id,omitempty"`
	Messages int    `json:"messages"`
}

func summaryOf(s intake.Summary) contactSummaryJSON {
	return contactSummaryJSON{s.ID, s.Status, s.Channel, s.Who, s.Service, s.RankBand, s.Region, s.Month, s.Created, s.Updated, s.CaseID, s.Messages}
}

func (a *API) inboxList(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	if !a.intakeAvailable(w) {
		return
	}
	list, err := a.cfg.Intake.Queue(r.Context(), r.URL.Query().Get("status"), 200)
	if err != nil {
		intakeError(w, err)
		return
	}
	out := make([]contactSummaryJSON, 0, len(list))
	for _, s := range list {
		out = append(out, summaryOf(s))
	}
	writeJSON(w, http.StatusOK, map[string]any{"contacts": out})
}

func (a *API) inboxGet(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	if !a.intakeAvailable(w) {
		return
	}
	c, err := a.cfg.Intake.Contact(r.Context(), sess.Keyring(), r.PathValue("id"), sess.Actor())
	if errors.Is(err, store.ErrNotFound) {
		WriteError(w, http.StatusNotFound, "not_found", "There is nothing here.")
		return
	}
	if err != nil {
		a.log.Error("intake: contact", "err", err)
		intakeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"contact": summaryOf(c.Summary), "rank": c.Rank, "unit": c.Unit, "place": c.Place, "reach": c.Reach,
		"messages": messagesJSON(c.Messages),
	})
}
