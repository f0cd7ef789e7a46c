package export

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tribune-act/tribune/pkg/agenda"
)

// CSV files are written for spreadsheets: UTF-8 with a byte order mark (so that
// Excel reads the accents and scripts right), CRLF line ends, comma-separated, and
// every cell that a spreadsheet would take for a formula neutralised with a quote.
// Imports read what spreadsheets save: UTF-8 with or without the mark, ',' or ';'.

const bom = "\uFEFF"

// writeCSV writes a header and rows.
func writeCSV(header []string, rows [][]string) []byte {
	var b bytes.Buffer
	b.WriteString(bom)
	w := csv.NewWriter(&b)
	w.UseCRLF = true
	_ = w.Write(header)
	for _, r := range rows {
		cells := make([]string, len(r))
		for i, c := range r {
			cells[i] = NeutraliseFormula(c)
		}
		_ = w.Write(cells)
	}
	w.Flush()
	return b.Bytes()
}

// NeutraliseFormula makes a cell that starts like a formula (= + - @, or a tab or
// carriage return before one) read as text in a spreadsheet, by prefixing a quote.
func NeutraliseFormula(cell string) string {
	if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
		return "'" + cell
	}
	return cell
}

// unneutralise undoes NeutraliseFormula on import, so a file exported and
// imported again keeps its values.
func unneutralise(cell string) string {
	if len(cell) > 1 && cell[0] == '\'' && strings.ContainsRune("=+-@\t\r", rune(cell[1])) {
		return cell[1:]
	}
	return cell
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// RunningOrderColumns are the columns of RunningOrderCSV.
var RunningOrderColumns = []string{
	"stage", "position", "slot_id", "kind", "title", "planned_start", "planned_end", "local_start",
	"duration_minutes", "pinned", "status", "projected_start", "projected_end", "language", "interpretation",
	"speakers", "description",
}

// RunningOrderCSV is every stage's running order for the organizers: planned times
// in UTC and in the event's timezone, the live projection, and every speaker with
// their role and answer (private data: this file is for organizers only).
func RunningOrderCSV(a *agenda.Agenda) []byte {
	loc, err := agenda.LoadLocation(a.Event.Timezone)
	if err != nil {
		loc = time.UTC
	}
	names := map[string]string{}
	for _, sp := range a.Speakers {
		names[sp.ID] = sp.Name
	}
	proj := map[string]agenda.SlotProjection{}
	for _, p := range a.LiveView().Slots {
		proj[p.SlotID] = p
	}
	var rows [][]string
	for _, st := range a.Stages {
		for i, s := range a.StageSlots(st.ID) {
			var who, interp []string
			for _, sp := range s.Speakers {
				who = append(who, fmt.Sprintf("%s [%s, %s]", names[sp.SpeakerID], sp.Role, sp.Status))
			}
			for _, in := range s.Interpretation {
				interp = append(interp, in.Language)
			}
			p := proj[s.ID]
			rows = append(rows, []string{
				st.Name, strconv.Itoa(i + 1), s.ID, string(s.Kind), s.Title,
				s.PlannedStart.UTC().Format(time.RFC3339), s.PlannedEnd.UTC().Format(time.RFC3339),
				s.PlannedStart.In(loc).Format("2006-01-02 15:04"),
				strconv.FormatFloat(float64(s.DurationSeconds)/60, 'f', -1, 64),
				yesNoEmpty(s.PinnedStart != nil), string(p.Status),
				p.ProjectedStart.UTC().Format(time.RFC3339), p.ProjectedEnd.UTC().Format(time.RFC3339),
				s.Language, strings.Join(interp, " "), strings.Join(who, "; "), s.Description,
			})
		}
	}
	return writeCSV(RunningOrderColumns, rows)
}

func yesNoEmpty(b bool) string {
	if b {
		return "yes"
	}
	return ""
}

// SpeakerColumns are the columns of SpeakersCSV, which ImportSpeakers reads back.
var SpeakerColumns = []string{
	"id", "name", "country", "organization", "timezone", "languages", "contact_email", "bio",
	"photo_url", "hide_country", "hide_organization", "hide_photo", "notes",
}

// SpeakersCSV lists every speaker with every field, for the organizers.
func SpeakersCSV(a *agenda.Agenda) []byte {
	orgs := map[string]string{}
	for _, o := range a.Organizations {
		orgs[o.ID] = o.Name
	}
	rows := make([][]string, 0, len(a.Speakers))
	for _, sp := range a.Speakers {
		rows = append(rows, []string{
			sp.ID, sp.Name, sp.Country, orgs[sp.OrganizationID], sp.Timezone, strings.Join(sp.Languages, " "),
			sp.ContactEmail, sp.Bio, sp.PhotoURL, yesNo(sp.HideCountry), yesNo(sp.HideOrganization),
			yesNo(sp.HidePhoto), sp.Notes,
		})
	}
	return writeCSV(SpeakerColumns, rows)
}

// OrganizationColumns are the columns of OrganizationsCSV, which ImportOrganizations reads back.
var OrganizationColumns = []string{"id", "name", "country", "kind", "url"}

// OrganizationsCSV lists every organization.
func OrganizationsCSV(a *agenda.Agenda) []byte {
	rows := make([][]string, 0, len(a.Organizations))
	for _, o := range a.Organizations {
		rows = append(rows, []string{o.ID, o.Name, o.Country, string(o.Kind), o.URL})
	}
	return writeCSV(OrganizationColumns, rows)
}

// ImportReport says what an import did, or would do, and every problem found.
type ImportReport struct {
	Kind string `json:"kind"`
	// Rows counts the data rows read (blank rows are skipped).
	Rows    int `json:"rows"`
	Created int `json:"created"`
	Updated int `json:"updated"`
	// OrganizationsCreated counts organizations a speaker import adds because a
	// speaker names one the event does not have yet.
	OrganizationsCreated int `json:"organizations_created"`
	// Problems are what must be fixed before the import can be confirmed.
	Problems []RowProblem `json:"problems"`
	// Warnings are worth a look but do not stop the import.
	Warnings []RowProblem `json:"warnings"`
}

// RowProblem is one problem of one cell (or of a whole row when Column is empty).
// Line is the file's line number, 1 for the header.
type RowProblem struct {
	Line    int    `json:"line"`
	Column  string `json:"column"`
	Message string `json:"message"`
}

func (r *ImportReport) problem(line int, column, format string, args ...any) {
	r.Problems = append(r.Problems, RowProblem{Line: line, Column: column, Message: fmt.Sprintf(format, args...)})
}

func (r *ImportReport) warn(line int, column, format string, args ...any) {
	r.Warnings = append(r.Warnings, RowProblem{Line: line, Column: column, Message: fmt.Sprintf(format, args...)})
}

// csvRow is one data row: its line and its cells by column name.
type csvRow struct {
	line  int
	cells map[string]string
}

func (r csvRow) has(col string) bool { _, ok := r.cells[col]; return ok }

// readTable reads a CSV file whose first row names the columns. Columns are
// matched case-insensitively, spaces taken as underscores; a column not in known,
// a repeated one or a missing required one is a problem of line 1.
func readTable(data []byte, known, required []string, rep *ImportReport) []csvRow {
	if bytes.HasPrefix(data, []byte{0xFF, 0xFE}) || bytes.HasPrefix(data, []byte{0xFE, 0xFF}) {
		rep.problem(1, "", "the file is UTF-16; save it as CSV UTF-8")
		return nil
	}
	data = bytes.TrimPrefix(data, []byte(bom))
	if len(bytes.TrimSpace(data)) == 0 {
		rep.problem(1, "", "the file is empty; the first line must name the columns: %s", strings.Join(known, ", "))
		return nil
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.Comma = delimiter(data)
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	header, err := r.Read()
	if err != nil {
		rep.problem(1, "", "unable to read the header: %v", err)
		return nil
	}
	isKnown := map[string]bool{}
	for _, k := range known {
		isKnown[k] = true
	}
	cols := make([]string, len(header))
	seen := map[string]bool{}
	for i, h := range header {
		name := strings.ToLower(strings.Join(strings.Fields(strings.TrimSpace(h)), "_"))
		cols[i] = name
		switch {
		case name == "" || !utf8.ValidString(name):
			rep.problem(1, "", "column %d has no name", i+1)
		case !isKnown[name]:
			rep.problem(1, name, "is not a column of this import; the columns are: %s", strings.Join(known, ", "))
		case seen[name]:
			rep.problem(1, name, "appears twice")
		}
		seen[name] = true
	}
	for _, req := range required {
		if !seen[req] {
			rep.problem(1, req, "the file has no %s column", req)
		}
	}
	if len(rep.Problems) > 0 {
		return nil
	}
	var rows []csvRow
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			rep.problem(pe.StartLine, "", "%v; the rest of the file was not read", pe.Err)
			break
		}
		if err != nil {
			rep.problem(0, "", "unable to read the file: %v", err)
			break
		}
		line, _ := r.FieldPos(0)
		row := csvRow{line: line, cells: map[string]string{}}
		blank := true
		for i, cell := range rec {
			cell = strings.TrimSpace(unneutralise(strings.TrimSpace(cell)))
			if cell != "" {
				blank = false
			}
			if i >= len(cols) {
				if cell != "" {
					rep.problem(line, "", "has %d cells but the header names %d columns", len(rec), len(cols))
				}
				continue
			}
			if !utf8.ValidString(cell) {
				rep.problem(line, cols[i], "is not valid UTF-8; save the file as CSV UTF-8")
				cell = strings.ToValidUTF8(cell, "\uFFFD")
			}
			row.cells[cols[i]] = cell
		}
		if blank {
			continue
		}
		if rep.Rows == MaxImportRows {
			rep.problem(line, "", "a file may hold at most %d rows; split it", MaxImportRows)
			break
		}
		rep.Rows++
		rows = append(rows, row)
	}
	return rows
}

// MaxImportRows is the most rows one CSV import takes.
const MaxImportRows = 5000

// delimiter guesses the separator from the header line: ';' when it has more
// semicolons than commas outside quotes (what spreadsheets save in locales that
// write decimals with a comma), ',' otherwise.
func delimiter(data []byte) rune {
	commas, semicolons, quoted := 0, 0, false
	for _, b := range data {
		switch {
		case b == '"':
			quoted = !quoted
		case quoted:
		case b == '\n':
			if semicolons > commas {
				return ';'
			}
			return ','
		case b == ',':
			commas++
		case b == ';':
			semicolons++
		}
	}
	if semicolons > commas {
		return ';'
	}
	return ','
}

// column maps a field an agenda validation error names ("languages[2]") to its column.
func column(field string, row csvRow) string {
	if i := strings.IndexAny(field, "[."); i >= 0 {
		field = field[:i]
	}
	if field == "organization_id" && !row.has("organization_id") {
		return "organization"
	}
	return field
}

func addProblems(rep *ImportReport, row csvRow, err error) {
	var ve *agenda.ValidationError
	if errors.As(err, &ve) {
		for _, fe := range ve.Errors {
			rep.problem(row.line, column(fe.Field, row), "%s", fe.Message)
		}
		return
	}
	rep.problem(row.line, "", "%v", err)
}

func parseBool(rep *ImportReport, row csvRow, col string, dst *bool) {
	v, ok := row.cells[col]
	if !ok {
		return
	}
	switch strings.ToLower(v) {
	case "", "no", "n", "false", "0":
		*dst = false
	case "yes", "y", "true", "1", "x":
		*dst = true
	default:
		rep.problem(row.line, col, "must be yes or no, not %q", v)
	}
}

// listCells splits a cell of a list ("uk en", "uk, en", "uk|en").
func listCells(v string) []string {
	return strings.FieldsFunc(v, func(r rune) bool { return r == ' ' || r == ',' || r == ';' || r == '|' })
}

// ImportSpeakers adds the speakers of a CSV file to the agenda, or updates those
// whose id the file gives. A row's problems are reported with its line and column
// and the row is left out; the caller commits only an import without problems.
// Columns: SpeakerColumns (and organization_id); only name is required. An
// organization is named by organization_id or by its name, and one the event does
// not have yet is added.
func ImportSpeakers(a *agenda.Agenda, data []byte, newID func() string) ImportReport {
	rep := ImportReport{Kind: "speakers", Problems: []RowProblem{}, Warnings: []RowProblem{}}
	rows := readTable(data, slices.Concat(SpeakerColumns, []string{"organization_id"}), []string{"name"}, &rep)
	names := map[string]bool{}
	for _, sp := range a.Speakers {
		names[strings.ToLower(sp.Name)] = true
	}
	seenIDs := map[string]int{}
	for _, row := range rows {
		before := len(rep.Problems)
		f := agenda.SpeakerFields{Languages: []string{}}
		id := row.cells["id"]
		if id != "" {
			if line, dup := seenIDs[id]; dup {
				rep.problem(row.line, "id", "the same speaker is on line %d", line)
				continue
			}
			seenIDs[id] = row.line
			cur, err := a.Speaker(id)
			if err != nil {
				rep.problem(row.line, "id", "no speaker with this id in this event; leave it empty to add a new speaker")
				continue
			}
			f = cur.SpeakerFields
		}
		set := func(col string, dst *string) {
			if v, ok := row.cells[col]; ok {
				*dst = v
			}
		}
		set("name", &f.Name)
		set("country", &f.Country)
		f.Country = strings.ToUpper(f.Country)
		set("timezone", &f.Timezone)
		set("contact_email", &f.ContactEmail)
		set("bio", &f.Bio)
		set("photo_url", &f.PhotoURL)
		set("notes", &f.Notes)
		if v, ok := row.cells["languages"]; ok {
			f.Languages = listCells(v)
		}
		parseBool(&rep, row, "hide_country", &f.HideCountry)
		parseBool(&rep, row, "hide_organization", &f.HideOrganization)
		parseBool(&rep, row, "hide_photo", &f.HidePhoto)
		var newOrg *agenda.Organization
		if v, ok := row.cells["organization_id"]; ok && v != "" {
			f.OrganizationID = v
		} else if name, ok := row.cells["organization"]; ok {
			orgID, created, err := organizationByName(a, name, newID)
			if err != nil {
				rep.problem(row.line, "organization", "%v", err)
			}
			f.OrganizationID, newOrg = orgID, created
		}
		if err := f.Validate(); err != nil {
			addProblems(&rep, row, err)
		}
		if len(rep.Problems) > before {
			if newOrg != nil {
				_ = a.DeleteOrganization(newOrg.ID)
			}
			continue
		}
		var err error
		if id == "" {
			err = a.AddSpeaker(newID(), f)
		} else {
			err = a.UpdateSpeaker(id, f)
		}
		if err != nil {
			addProblems(&rep, row, err)
			if newOrg != nil {
				_ = a.DeleteOrganization(newOrg.ID)
			}
			continue
		}
		if newOrg != nil {
			rep.OrganizationsCreated++
		}
		if id == "" {
			if names[strings.ToLower(f.Name)] {
				rep.warn(row.line, "name", "a speaker named %q is already in the event (or earlier in the file); to update a speaker rather than add one, give their id", f.Name)
			}
			rep.Created++
		} else {
			rep.Updated++
		}
		names[strings.ToLower(f.Name)] = true
	}
	return rep
}

// organizationByName finds the organization named name (ignoring case), adding it
// when the event has none: "" when name is empty.
func organizationByName(a *agenda.Agenda, name string, newID func() string) (string, *agenda.Organization, error) {
	if name == "" {
		return "", nil, nil
	}
	var found []string
	for _, o := range a.Organizations {
		if strings.EqualFold(strings.TrimSpace(o.Name), name) {
			found = append(found, o.ID)
		}
	}
	switch len(found) {
	case 1:
		return found[0], nil, nil
	case 0:
		id := newID()
		if err := a.AddOrganization(id, agenda.OrganizationFields{Name: name, Kind: agenda.OrgOther}); err != nil {
			var ve *agenda.ValidationError
			if errors.As(err, &ve) && len(ve.Errors) > 0 {
				return "", nil, errors.New(ve.Errors[0].Message)
			}
			return "", nil, err
		}
		o, _ := a.Organization(id)
		return id, o, nil
	}
	return "", nil, fmt.Errorf("%d organizations are named %q; give organization_id instead", len(found), name)
}

// ImportOrganizations adds the organizations of a CSV file, or updates those whose
// id the file gives. Columns: OrganizationColumns; only name is required, and kind
// is "other" when empty.
func ImportOrganizations(a *agenda.Agenda, data []byte, newID func() string) ImportReport {
	rep := ImportReport{Kind: "organizations", Problems: []RowProblem{}, Warnings: []RowProblem{}}
	rows := readTable(data, OrganizationColumns, []string{"name"}, &rep)
	names := map[string]bool{}
	for _, o := range a.Organizations {
		names[strings.ToLower(o.Name)] = true
	}
	seenIDs := map[string]int{}
	for _, row := range rows {
		f := agenda.OrganizationFields{Kind: agenda.OrgOther}
		id := row.cells["id"]
		if id != "" {
			if line, dup := seenIDs[id]; dup {
				rep.problem(row.line, "id", "the same organization is on line %d", line)
				continue
			}
			seenIDs[id] = row.line
			cur, err := a.Organization(id)
			if err != nil {
				rep.problem(row.line, "id", "no organization with this id in this event; leave it empty to add a new one")
				continue
			}
			f = cur.OrganizationFields
		}
		if v, ok := row.cells["name"]; ok {
			f.Name = v
		}
		if v, ok := row.cells["country"]; ok {
			f.Country = strings.ToUpper(v)
		}
		if v, ok := row.cells["kind"]; ok {
			f.Kind = agenda.OrganizationKind(strings.ToLower(v))
			if v == "" {
				f.Kind = agenda.OrgOther
			}
		}
		if v, ok := row.cells["url"]; ok {
			f.URL = v
		}
		var err error
		if id == "" {
			err = a.AddOrganization(newID(), f)
		} else {
			err = a.UpdateOrganization(id, f)
		}
		if err != nil {
			addProblems(&rep, row, err)
			continue
		}
		if id == "" {
			if names[strings.ToLower(f.Name)] {
				rep.warn(row.line, "name", "an organization named %q is already in the event (or earlier in the file); to update one rather than add one, give its id", f.Name)
			}
			rep.Created++
		} else {
			rep.Updated++
		}
		names[strings.ToLower(f.Name)] = true
	}
	return rep
}
