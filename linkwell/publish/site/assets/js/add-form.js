/* The "Add your group" form on the website: checks the answers in the browser against the same
 * JSON Schema as `linkwell validate` (schema/entry.schema.json, fetched from the URL in the form's
 * data-schema attribute, checked by ajv from npm: js/ajv2020.js), shows each problem next to its
 * question (aria-invalid + aria-describedby), and when everything passes offers the pre-filled GitHub issue form (its
 * questions are pre-filled by their ids as query parameters; ticks cannot be) and the listing as
 * YAML for a pull request. Nothing is sent anywhere by this page itself.
 */
(function () {
  "use strict";
  var form = document.getElementById("lw-add-form");
  if (!form) { return; }

  // Where each question's answer goes in a listing (mirrors linkwell/submissions.py).
  var PATHS = {
    name: ["name"], organisation: ["organisation", "name"], charity_number: ["organisation", "charity_number"],
    company_number: ["organisation", "company_number"], organisation_website: ["organisation", "website"],
    description: ["description"], categories: ["categories"], activities: ["activities"],
    audience: ["audience", "groups"], min_age: ["audience", "min_age"], max_age: ["audience", "max_age"],
    borough: ["borough"], areas_served: ["areas_served"], venue: ["location", "venue"], address: ["location", "address"],
    postcode: ["location", "postcode"], delivery: ["delivery"], days: ["schedule", 0, "days"],
    opens: ["schedule", 0, "opens"], closes: ["schedule", 0, "closes"], frequency: ["schedule", 0, "frequency"],
    schedule_note: ["schedule", 0, "note"], cost: ["cost"], cost_note: ["cost_note"], access: ["access"],
    accessibility: ["accessibility"], languages: ["languages"], website: ["contact", "website"],
    email: ["contact", "email"], phone: ["contact", "phone"]
  };
  var HINTS = {
    opens: "write a time like 10:00 or 2:30pm", closes: "write a time like 11:30 or 4pm",
    website: "write a web address like https://example.org", organisation_website: "write a web address like https://example.org",
    email: "write an email address like info@example.org", phone: "use digits and spaces, like 020 7946 0000",
    postcode: "write a London postcode like SE8 4RJ", charity_number: "it is 6 to 8 digits, like 1123456",
    company_number: "it has 8 characters, like 01234567", languages: "write the languages' names separated by commas, like Bengali, Polish",
    min_age: "write a whole number such as 18", max_age: "write a whole number such as 65"
  };
  var COMMAND_SIGNS = [
    [/\$\{\{|\}\}/, "contains ${{ }}, which looks like a GitHub workflow expression; please write plain words only"],
    [/\$\(|\$\{|`/, "contains $( ), ${ } or backticks, which look like a computer command; please write plain words only"],
    [/&&|\|\||\|\s*(sh|bash|zsh|python\d?|perl|curl|wget)\b|;\s*(rm|curl|wget|sh|bash|chmod)\b/,
      "contains a chain of shell commands (such as && or | sh); please write plain words only"],
    [/^\s*[A-Z][A-Z0-9_]*\s*=\S/m, "contains a line like NAME=value; please write plain words only"]
  ];
  var validate = null;  // the entry schema, compiled by ajv once it has loaded
  var fieldOrder = [];  // the schema's order of fields, for the YAML
  var status = document.getElementById("lw-add-status");
  var result = document.getElementById("lw-add-result");
  var summary = document.getElementById("lw-add-summary");

  function fieldBox(id) { return form.querySelector('[data-field="' + id + '"]'); }
  function control(id) { return form.querySelector('[name="' + id + '"]'); }
  function boxes(id) { return Array.prototype.slice.call(form.querySelectorAll('input[type=checkbox][name="' + id + '"]')); }
  function label(id) {
    var box = fieldBox(id);
    var el = box && (box.querySelector("legend") || box.querySelector("label"));
    return el ? el.firstChild.textContent.trim() : id;
  }

  // --- reading and converting the answers ------------------------------------------------------
  function time(text) {
    var m = /^\s*(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?\s*$/i.exec(text);
    if (!m) { return null; }
    var hour = +m[1], minute = +(m[2] || 0), half = (m[3] || "").charAt(0).toLowerCase();
    if (half) {
      if (hour < 1 || hour > 12) { return null; }
      hour = hour % 12 + (half === "p" ? 12 : 0);
    } else if (m[2] === undefined) { return null; }
    if (hour > 23 || minute > 59) { return null; }
    return (hour < 10 ? "0" : "") + hour + ":" + (minute < 10 ? "0" : "") + minute;
  }
  function website(text) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(text) && !/^https?:\/\//i.test(text)) { return text; } // left for the schema to refuse
    return /^https?:\/\//i.test(text) ? text : "https://" + text;
  }
  function postcode(text) {
    var m = /^\s*([A-Za-z]{1,2}[0-9][0-9A-Za-z]?)\s*([0-9][A-Za-z]{2})\s*$/.exec(text);
    return m ? (m[1] + " " + m[2]).toUpperCase() : text;
  }
  function convert(id, text, problems) {
    if (id === "opens" || id === "closes") { return time(text) || text; }
    if (id === "website" || id === "organisation_website") { return website(text); }
    if (id === "postcode") { return postcode(text); }
    if (id === "company_number") { return text.toUpperCase().replace(/ /g, ""); }
    if (id === "min_age" || id === "max_age") {
      if (!/^\d{1,3}$/.test(text)) { problems.push([id, "is not an age; " + HINTS[id]]); return undefined; }
      return parseInt(text, 10);
    }
    if (id === "languages") {  // by name ("Polish, Bengali") or by code ("pl, bn")
      return text.split(/\s*[,;\/]\s*|\s+and\s+/).map(function (word) { return languageCode(word.trim()); })
        .filter(Boolean).filter(function (c, i, all) { return all.indexOf(c) === i; });
    }
    return text;
  }
  /* A language's two-letter code from its English name or its code ("Polish" or "pl" -> "pl"); an
   * unknown name is kept as typed, so the schema names the problem. Names come from the browser
   * (Intl.DisplayNames) for every two-letter code. */
  var languageNames = null;
  function languageCode(word) {
    var lower = word.toLowerCase();
    if (/^[a-z]{2}$/.test(lower)) { return lower; }
    if (!languageNames) {
      // names people use that the browser spells otherwise ("Bangla"), as in linkwell.listings.describe
      languageNames = { bengali: "bn", farsi: "fa", "persian (farsi)": "fa", mandarin: "zh", cantonese: "zh" };
      try {
        var names = new Intl.DisplayNames(["en"], { type: "language" }), a = 97;
        for (var i = 0; i < 26; i++) {
          for (var j = 0; j < 26; j++) {
            var code = String.fromCharCode(a + i, a + j), name = names.of(code);
            if (name && name !== code && !languageNames[name.toLowerCase()]) { languageNames[name.toLowerCase()] = code; }
          }
        }
      } catch (e) { /* an old browser: codes only */ }
    }
    return languageNames[lower] || lower.split(" (")[0] && languageNames[lower.split(" (")[0]] || word;
  }
  function answers() {
    var out = {};
    Array.prototype.forEach.call(form.querySelectorAll("[data-field]"), function (box) {
      var id = box.getAttribute("data-field"), kind = box.getAttribute("data-kind");
      var ticked = boxes(id);
      if (ticked.length) {
        out[id] = ticked.filter(function (b) { return b.checked; }).map(function (b) { return b.value; });
      } else {
        var value = control(id).value;
        out[id] = kind === "textarea" ? value.replace(/\r\n?/g, "\n").trim() : value.trim();
      }
    });
    return out;
  }
  function setPath(obj, path, value) {
    var node = obj;
    for (var i = 0; i < path.length - 1; i++) {
      var key = path[i];
      if (node[key] === undefined) { node[key] = typeof path[i + 1] === "number" ? [] : {}; }
      node = node[key];
    }
    node[path[path.length - 1]] = value;
  }
  function slug(text) {
    var s = text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase().replace(/&/g, " and ")
      .replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
    if (s.length > 100) { s = s.slice(0, 100).replace(/-[^-]*$/, ""); }
    return s;
  }
  function today() {
    var d = new Date();
    return d.getFullYear() + "-" + ("0" + (d.getMonth() + 1)).slice(-2) + "-" + ("0" + d.getDate()).slice(-2);
  }
  function buildEntry(values, problems) {
    var entry = {};
    Object.keys(PATHS).forEach(function (id) {
      var value = values[id];
      if (value === undefined || value === "" || (Array.isArray(value) && !value.length)) { return; }
      if (typeof value === "string") {
        for (var i = 0; i < COMMAND_SIGNS.length; i++) {
          if (COMMAND_SIGNS[i][0].test(value)) { problems.push([id, COMMAND_SIGNS[i][1]]); return; }
        }
      }
      var converted = Array.isArray(value) ? value : convert(id, value, problems);
      if (converted !== undefined) { setPath(entry, PATHS[id], converted); }
    });
    if (entry.schedule && !(entry.schedule[0].days || []).length) {
      problems.push(["days", "please tick the days it runs, so the times have a day to go with"]);
      delete entry.schedule;
    }
    var s = entry.schedule && entry.schedule[0];
    if (s && s.opens && s.closes && /^\d\d:\d\d$/.test(s.opens) && s.closes <= s.opens) {
      problems.push(["closes", "is not after the start time"]);
    }
    if ((entry.delivery || []).indexOf("in-person") >= 0 && !entry.location) {
      problems.push(["venue", "please give the venue name or postcode: people need to know where to go"]);
    }
    if (!entry.borough && entry.location && entry.location.postcode) {
      entry.borough = "city-of-london"; // worked out from the postcode by the GitHub check; a stand-in here
      entry._boroughFromPostcode = true;
    }
    var areas = entry.areas_served;  // "All of London" with boroughs, or every borough, is all of London
    if (areas && (areas.indexOf("london") >= 0 || areas.length === 33)) { entry.areas_served = ["london"]; }
    var a = entry.audience;
    if (a && a.min_age !== undefined && a.max_age !== undefined && a.min_age > a.max_age) {
      problems.push(["max_age", "is lower than the youngest age welcome"]);
    }
    entry.id = slug(values.name || "");
    entry.status = "active";
    entry.last_verified = today();
    entry.verified_by = "provider";
    entry.sources = [{ kind: "form", first_seen: entry.last_verified, last_seen: entry.last_verified }];
    if (values.confirm.length < 2) {
      problems.push(["confirm", "needs both boxes ticked: only the group itself can add its listing, and only with organisational contacts"]);
    }
    return entry;
  }

  // --- the schema check: ajv (from npm, js/ajv2020.js), the same JSON Schema as linkwell validate ---
  var COMBINATORS = { "if": true, anyOf: true, oneOf: true, allOf: true, not: true };
  function compile(loaded) {
    var Ajv = window.ajv2020 && (window.ajv2020["default"] || window.ajv2020);
    var ajv = new Ajv({ allErrors: true, strict: true, validateFormats: false });
    // the schema's own annotations are words for people, not rules
    ["x-labels", "x-descriptions"].forEach(function (word) { ajv.addKeyword(word); });
    return ajv.compile(loaded);
  }
  function schemaProblems(entry) {  // [[path, kind, limit?, length?]] in the shape message() reads
    var data = {};
    Object.keys(entry).forEach(function (key) { if (key.charAt(0) !== "_") { data[key] = entry[key]; } });
    if (validate(data)) { return []; }
    var out = [];
    validate.errors.forEach(function (error) {
      if (COMBINATORS[error.keyword]) { return; }  // their branches' own errors say what is wrong
      var path = error.instancePath.split("/").slice(1).map(function (step) {
        step = step.replace(/~1/g, "/").replace(/~0/g, "~");
        return /^\d+$/.test(step) ? +step : step;
      });
      var p = error.params;
      if (p.missingProperty !== undefined) { out.push([path.concat([p.missingProperty]), "required"]); }
      else if (p.additionalProperty !== undefined) { out.push([path.concat([p.additionalProperty]), "additionalProperties"]); }
      else if (error.keyword === "maxLength") { out.push([path, "maxLength", p.limit, Array.from(String(valueAt(data, path))).length]); }
      else { out.push([path, error.keyword, p.limit]); }
    });
    return out;
  }
  function valueAt(data, path) {
    return path.reduce(function (node, step) { return node === undefined || node === null ? node : node[step]; }, data);
  }
  function fieldOf(path) {
    var key = JSON.stringify(path.map(function (p) { return typeof p === "number" ? 0 : p; }));
    for (var id in PATHS) { if (JSON.stringify(PATHS[id]) === key) { return id; } }
    return path.length ? fieldOf(path.slice(0, -1)) : null;
  }
  function message(id, kind, limit, length) {
    var multi = fieldBox(id) && fieldBox(id).getAttribute("data-kind") !== "input" && fieldBox(id).tagName === "FIELDSET";
    if (kind === "required" || kind === "minItems") {
      return multi ? "is required; please tick at least one" :
        fieldBox(id) && fieldBox(id).getAttribute("data-kind") === "dropdown" ? "is required; please choose from the list" :
        "is required; please fill it in";
    }
    if (kind === "maxLength") { return "is " + length.toLocaleString("en-GB") + " characters long; please shorten it to " + limit.toLocaleString("en-GB") + " characters or fewer"; }
    if (kind === "pattern" && /[<]\s*[A-Za-z\/!?]/.test(String(valueOf(id)))) { return "contains HTML such as <b> or <script>; please write plain text"; }
    if (kind === "enum") { return "please choose from the list"; }
    if (kind === "maximum" || kind === "minimum") {  // "the oldest age we accept is 120"
      var age = id === "min_age" || id === "max_age";
      return "is " + (kind === "maximum" ? "too high: the " + (age ? "oldest age" : "largest number") :
        "too low: the " + (age ? "youngest age" : "smallest number")) + " we accept is " + limit;
    }
    return "is not in the expected form" + (HINTS[id] ? "; " + HINTS[id] : "");
  }
  function valueOf(id) { var c = control(id); return c ? c.value : ""; }

  // --- showing problems and the result ---------------------------------------------------------
  function clear() {
    Array.prototype.forEach.call(form.querySelectorAll(".lw-error"), function (p) { p.hidden = true; p.textContent = ""; });
    Array.prototype.forEach.call(form.querySelectorAll("[aria-invalid]"), function (el) { el.removeAttribute("aria-invalid"); });
    summary.hidden = true;
    summary.innerHTML = "";
    result.hidden = true;
  }
  function show(problems) {
    var seen = {}, list = document.createElement("ul");
    problems.forEach(function (p) {
      var id = p[0];
      if (seen[id]) { return; }
      seen[id] = true;
      var err = document.getElementById("lw-f-" + id + "-error");
      if (!err) { return; }
      err.textContent = label(id) + " " + p[1];
      err.hidden = false;
      var target = boxes(id).length ? fieldBox(id) : control(id);
      target.setAttribute("aria-invalid", "true");
      var item = document.createElement("li"), link = document.createElement("a");
      link.href = "#" + (boxes(id).length ? fieldBox(id).id : control(id).id);
      link.textContent = label(id) + " " + p[1];
      item.appendChild(link);
      list.appendChild(item);
    });
    var heading = document.createElement("h2");
    heading.textContent = "Please check " + list.children.length + (list.children.length === 1 ? " answer" : " answers");
    summary.appendChild(heading);
    summary.appendChild(list);
    summary.hidden = false;
    summary.focus();
  }
  function issueUrl(values) {
    var params = new URLSearchParams();
    params.set("template", "add-your-group.yml");
    params.set("title", "Add listing: " + values.name);
    Array.prototype.forEach.call(form.querySelectorAll("[data-field]"), function (box) {
      var id = box.getAttribute("data-field"), kind = box.getAttribute("data-kind");
      if (kind === "checkboxes") { return; } // GitHub cannot pre-tick boxes
      if (kind === "dropdown") {
        var chosen = boxes(id).length ? boxes(id).filter(function (b) { return b.checked; }) :
          Array.prototype.filter.call(control(id).options, function (o) { return o.selected && o.value; });
        var labels = chosen.map(function (el) { return el.getAttribute("data-label") || el.textContent.trim(); });
        if (labels.length) { params.set(id, labels.join(", ")); }
      } else if (values[id]) {
        var converted = convert(id, values[id], []);
        params.set(id, Array.isArray(converted) ? converted.join(", ") : String(converted));
      }
    });
    return form.getAttribute("data-repo") + "/issues/new?" + params.toString();
  }
  function isObject(v) { return v !== null && typeof v === "object" && !Array.isArray(v); }
  function yamlScalar(v) { return typeof v === "string" ? JSON.stringify(v) : String(v); }
  function toYaml(value, indent, keys) {
    var pad = new Array(indent + 1).join(" "), lines = [];
    if (Array.isArray(value)) {
      value.forEach(function (item) {
        if (isObject(item)) {
          var inner = toYaml(item, indent + 2).split("\n");
          lines.push(pad + "- " + inner[0].trim());
          lines = lines.concat(inner.slice(1));
        } else { lines.push(pad + "- " + yamlScalar(item)); }
      });
    } else {
      (keys || Object.keys(value)).forEach(function (key) {
        if (!(key in value) || key.charAt(0) === "_") { return; }
        var v = value[key];
        if (isObject(v) || Array.isArray(v)) { lines.push(pad + key + ":"); lines.push(toYaml(v, indent + 2)); }
        else { lines.push(pad + key + ": " + yamlScalar(v)); }
      });
    }
    return lines.join("\n");
  }
  function offer(values, entry) {
    var link = document.getElementById("lw-open-issue");
    link.href = issueUrl(values);
    var ticks = document.getElementById("lw-ticks");
    ticks.innerHTML = "";
    ["delivery", "days", "accessibility", "confirm"].forEach(function (id) {
      var chosen = boxes(id).filter(function (b) { return b.checked; }).map(function (b) { return b.getAttribute("data-label"); });
      if (!chosen.length) { return; }
      var li = document.createElement("li");
      li.textContent = label(id) + ": " + chosen.join("; ");
      ticks.appendChild(li);
    });
    var borough = entry._boroughFromPostcode ? "<your-borough>" : entry.borough;
    document.getElementById("lw-yaml-path").textContent = "directory/" + borough + "/" + entry.id + ".yml";
    if (entry._boroughFromPostcode) { delete entry.borough; }
    document.getElementById("lw-yaml").textContent = toYaml(entry, 0, fieldOrder) + "\n";
    result.hidden = false;
    result.focus();
  }

  /* Where the postcode is, from the site's postcode files (linkwellIndex): {borough: slug} for a
   * London postcode we know, {unknown: true} for one we do not, {} when it cannot be looked up here
   * (no postcode, not one in form: the schema says so; or the files are not reachable). */
  function place(text) {
    var idx = window.linkwellIndex;
    if (!text || !idx || !/^[A-Z]{1,2}[0-9][0-9A-Z]?\s*[0-9][A-Z]{2}$/i.test(text.trim())) { return Promise.resolve({}); }
    return Promise.all([idx.lookupPostcode(text), idx.meta()]).then(function (got) {
      var found = got[0], meta = got[1];
      if (found.error) { return { unknown: true }; }
      return { borough: found.borough != null && meta ? meta.facets.bor[found.borough] : null };
    }, function () { return {}; });
  }
  function boroughName(slug) {
    var option = control("borough") && control("borough").querySelector('option[value="' + slug + '"]');
    return option ? option.textContent.trim() : slug;
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (!validate) { return; }
    var values = answers();
    place(values.postcode).then(function (where) { review(values, where); });
  });

  function review(values, where) {
    clear();
    var problems = [];
    if (where.unknown) {
      problems.push(["postcode", "is not a London postcode we know; Linkwell lists London services only, so please check it for typos"]);
    } else if (where.borough && values.borough && values.borough !== where.borough) {
      problems.push(["borough", "is " + boroughName(values.borough) + ", but " + values.postcode.toUpperCase() +
        " is in " + boroughName(where.borough) + ": choose " + boroughName(where.borough) + ", or check the postcode"]);
    } else if (where.borough && !values.borough) {
      values.borough = where.borough;  // worked out from the postcode, as the GitHub check would
    }
    var entry = buildEntry(values, problems);
    Array.prototype.forEach.call(form.querySelectorAll('[data-required="true"]'), function (box) {
      var id = box.getAttribute("data-field"), v = values[id];
      if (v === "" || (Array.isArray(v) && !v.length)) { problems.push([id, message(id, "required")]); }
    });
    if (!values.borough && !values.postcode) {
      problems.push(["borough", "is required: choose the London borough where it happens (or give its postcode)"]);
    }
    schemaProblems(entry).forEach(function (f) {
      var id = fieldOf(f[0]);
      if (id) { problems.push([id, message(id, f[1], f[2], f[3])]); }
      else if (f[0][0] !== "id") { problems.push(["name", "could not be checked (" + f[0].join(".") + ")"]); }
    });
    if (values.name && entry.id.length < 3) { problems.push(["name", "please include the name in English letters"]); }
    var order = Object.keys(PATHS).concat(["confirm"]);
    problems.sort(function (a, b) { return order.indexOf(a[0]) - order.indexOf(b[0]); });
    warn(values);
    if (problems.length) { show(problems); } else { offer(values, entry); }
  }

  /* Contact details that look like a person's own rather than the group's: a note beside the
   * question (it does not stop the form), as they would be published. */
  var PERSONAL_MAIL = /@(gmail|googlemail|hotmail|outlook|live|yahoo|ymail|icloud|me|aol|btinternet|sky|talktalk|virginmedia)\./i;
  function warn(values) {
    Array.prototype.forEach.call(form.querySelectorAll(".lw-warning"), function (p) { p.remove(); });
    var notes = [];
    if (/^\s*(\+44\s*\(?0?\)?\s*7|07)/.test(values.phone || "")) {
      notes.push(["phone", "This looks like a personal mobile number. It will be published: give the group's own number if it has one."]);
    }
    if (PERSONAL_MAIL.test(values.email || "")) {
      notes.push(["email", "This looks like a personal email address. It will be published: give the group's own address if it has one."]);
    }
    notes.forEach(function (n) {
      var box = fieldBox(n[0]), note = document.createElement("p");
      note.className = "lw-warning";
      note.id = "lw-f-" + n[0] + "-warning";
      note.textContent = n[1];
      box.appendChild(note);
      var input = control(n[0]);
      input.setAttribute("aria-describedby", (input.getAttribute("aria-describedby") || "").replace(/\s*lw-f-\S+-warning/, "") + " " + note.id);
    });
  }

  fetch(form.getAttribute("data-schema"))
    .then(function (response) { if (!response.ok) { throw new Error(response.status); } return response.json(); })
    .then(function (loaded) {
      validate = compile(loaded);
      fieldOrder = Object.keys(loaded.properties);
      form.querySelector("button[type=submit]").disabled = false;
      status.textContent = "";
    })
    .catch(function () {
      status.textContent = "The checker could not load. You can still use the form on GitHub directly (link above).";
    });
}());
