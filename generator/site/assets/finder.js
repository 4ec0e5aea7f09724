/* mqcat finder: facets, counts and prefix search over the prebuilt lunr index.
 *
 * Data (written by generator/site/search_index.py next to this page):
 *   entries.json     facet and card records; record i is the index's document "i";
 *   index/<n>.json   bucket n of the lunr index: the terms whose first three characters
 *                    hash to n; loaded per query word, at start in parallel with entries.json.
 * The page names both (data-records; data-bucket, with {bucket} for n): generator/context.py
 * owns every path of the site.
 * Queries go through the index's own search pipeline (mqFold, and for English stop words
 * and stemmer), named on the page by the same code that built the index.
 * The state lives in the URL query string: s (the words; Material's own search
 * box reads q), sort and one parameter per facet
 * (repeated for several values). Facets combine with AND across groups and OR
 * within one; each option shows how many results it would leave.
 * Each result says why it matched (the query's words marked in its title and the start
 * of its purpose, and the fields they were found in), its next intake and its cost. The
 * purpose is read from the entry's open-data file (api/v1/entries/<id>.json) for the
 * results shown only, so the records loaded before the first result stay small. Up to
 * three results can be chosen for the comparison page (param c, entry paths), which
 * loads the chosen entries' own pages and not this index.
 */
(function () {
  "use strict";

  var form = document.getElementById("mq-finder");
  if (!form || !window.lunr || !window.fetch) return;

  var config = JSON.parse(document.getElementById("mq-finder-config").textContent);
  var language = form.dataset.language;
  var base = form.dataset.base;
  var query = document.getElementById("mq-q");
  var sort = document.getElementById("mq-sort");
  var count = document.getElementById("mq-count");
  var list = document.getElementById("mq-results");
  var more = document.getElementById("mq-more");
  var clear = document.getElementById("mq-clear");
  var groups = Array.prototype.slice.call(form.querySelectorAll("fieldset[data-param]"));
  var PAGE = 30;
  var shown = PAGE;
  var entries = [];
  var shards = {};
  var tables = {};
  var extra = config.extra;
  var compareBar = document.getElementById("mq-compare");
  var compareLink = document.getElementById("mq-compare-link");
  var compareNote = document.getElementById("mq-compare-note");
  var COMPARE_MAX = 3;
  var chosenPaths = [];
  var EXCERPT = 160;
  var purposes = {};

  /* Today in the visitor's time zone, as an ISO date: intakes that start today are still open. */
  function isoToday() {
    var now = new Date();
    function two(n) { return (n < 10 ? "0" : "") + n; }
    return now.getFullYear() + "-" + two(now.getMonth() + 1) + "-" + two(now.getDate());
  }
  var today = isoToday();

  /* The same rule as fold() in generator/site/search_index.py: lower case, no diacritics,
     no punctuation at either end. */
  function fold(text) {
    return text.toLowerCase().normalize("NFD").replace(/\p{Mn}/gu, "").replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, "");
  }
  function mqFold(token) {
    var folded = fold(token.toString());
    return folded ? token.update(function () { return folded; }) : undefined;
  }
  lunr.Pipeline.registerFunction(mqFold, "mqFold");

  /* The query pipeline the index was built with (generator/site/search_index.py names it on the
     page), and the part of it every form of a word goes through: folding. */
  var pipeline = lunr.Pipeline.load(form.dataset.pipeline.split(" "));
  var plain = new lunr.Pipeline();
  plain.add(mqFold);
  var SHARDS = Number(form.dataset.shards);
  var PREFIX = 3;

  /* The bucket of a term: FNV-1a of its first three code points, as shard_of in search_index.py. */
  function shardOf(term) {
    var value = 0x811c9dc5;
    Array.from(term).slice(0, PREFIX).forEach(function (character) {
      value = Math.imul(value ^ character.codePointAt(0), 0x01000193) >>> 0;
    });
    return value % SHARDS;
  }

  function loadShard(key) {
    if (!shards[key]) {
      shards[key] = fetch(form.dataset.bucket.replace("{bucket}", key)).then(function (r) {
        if (!r.ok) throw new Error(r.status);
        return r.json();
      }).then(function (data) { return lunr.Index.load(data); });
    }
    return shards[key];
  }

  /* The query's words, each as the terms it may match: the word through the query pipeline
     (for English stemmed: "forklifts" -> "forklift") and merely folded (a partly typed
     "operat" is no stem of anything). Stop words drop out. */
  function words(text) {
    return lunr.tokenizer(text).map(function (token) {
      var forms = pipeline.run([token.clone()]).map(String);
      if (!forms.length) return [];
      plain.run([token.clone()]).map(String).forEach(function (form) {
        if (forms.indexOf(form) < 0) forms.push(form);
      });
      return forms;
    }).filter(function (forms) { return forms.length; });
  }

  /* One form of a word in its bucket: by prefix from three characters on, else the whole term;
     whole-term matches count more. Resolves to {position: score}. */
  function lookUp(form, why) {
    return loadShard(shardOf(form)).then(function (index) {
      var scores = {};
      index.query(function (q) {
        if (form.length >= PREFIX) q.term(form, { wildcard: lunr.Query.wildcard.TRAILING, usePipeline: false });
        q.term(form, { usePipeline: false, boost: 10 });
      }).forEach(function (hit) {
        scores[hit.ref] = hit.score;
        /* Which fields the word was found in, to say why the result matched. */
        if (why) {
          var fields = why[hit.ref] || (why[hit.ref] = {});
          Object.keys(hit.matchData.metadata).forEach(function (term) {
            Object.keys(hit.matchData.metadata[term]).forEach(function (field) { fields[field] = true; });
          });
        }
      });
      return scores;
    });
  }

  /* Every word must match (the best of its forms counts); scores add up over words.
     Resolves to {position: score}, or null when the query has no words (nothing to narrow). */
  function search(text, why) {
    var wanted = words(text);
    if (!wanted.length) return Promise.resolve(null);
    return Promise.all(wanted.map(function (forms) {
      return Promise.all(forms.map(function (form) { return lookUp(form, why); })).then(function (perForm) {
        var best = {};
        perForm.forEach(function (scores) {
          Object.keys(scores).forEach(function (ref) { best[ref] = Math.max(best[ref] || 0, scores[ref]); });
        });
        return best;
      });
    })).then(function (perWord) {
      return perWord.reduce(function (result, scores) {
        var next = {};
        Object.keys(result).forEach(function (ref) {
          if (ref in scores) next[ref] = result[ref] + scores[ref];
        });
        return next;
      });
    });
  }

  /* The facet values of one entry record, by URL parameter. */
  function values(entry, param) {
    switch (param) {
      case "sector": return [entry.sector];
      case "level": return [String(entry.lki)];
      case "band": return [entry.band];
      case "form": return [entry.form];
      case "language": return entry.langs;
      case "provider": return entry.provs;
      case "place": return entry.places;
      case "cost": return [entry.cost];
      case "intake":
        var intake = [];
        if (entry.starts.some(function (d) { return d >= today; })) intake.push("open-now");
        if (entry.onDemand) intake.push("on-demand");
        return intake;
    }
    return [];
  }

  function selected() {
    var chosen = {};
    groups.forEach(function (group) {
      var param = group.dataset.param;
      chosen[param] = Array.prototype.slice.call(group.querySelectorAll("input:checked")).map(function (i) { return i.value; });
    });
    return chosen;
  }

  function matches(entry, chosen, except) {
    return Object.keys(chosen).every(function (param) {
      if (param === except || !chosen[param].length) return true;
      var own = values(entry, param);
      return chosen[param].some(function (value) { return own.indexOf(value) >= 0; });
    });
  }

  function format(template, n) { return template.replace("{n}", n); }

  function fact(term, value) {
    var wrap = document.createElement("div");
    var dt = document.createElement("dt");
    var dd = document.createElement("dd");
    dt.textContent = term;
    dd.textContent = value;
    wrap.appendChild(dt);
    wrap.appendChild(dd);
    return wrap;
  }

  /* Text with the query's words marked: every word of the text whose folded form starts
     with a folded query word. Built from text nodes, so nothing in it is read as HTML. */
  function marked(text, forms) {
    var fragment = document.createDocumentFragment();
    text.split(/(\s+)/).forEach(function (piece) {
      var folded = fold(piece);
      var hit = folded && forms.some(function (form) { return folded.indexOf(form) === 0; });
      if (hit) {
        var mark = document.createElement("mark");
        mark.textContent = piece;
        fragment.appendChild(mark);
      } else {
        fragment.appendChild(document.createTextNode(piece));
      }
    });
    return fragment;
  }

  /* The start of an entry's purpose in the page's language (or Latvian, marked), cut at a
     word; loaded once per entry, only for the results shown. */
  function purpose(entry) {
    var id = entry.path.replace(/\/$/, "").split("/").pop();
    if (!purposes[id]) {
      purposes[id] = fetch(form.dataset.entryApi.replace("{id}", id)).then(function (r) {
        if (!r.ok) throw new Error(r.status);
        return r.json();
      }).then(function (data) {
        var own = data.purpose && data.purpose[language];
        var value = (own || (data.purpose && data.purpose.lv) || "").replace(/\s+/g, " ").trim();
        if (value.length > EXCERPT) value = value.slice(0, EXCERPT).replace(/\s+\S*$/, "") + "…";
        return { value: value, lang: own ? null : "lv" };
      }).catch(function () { return null; });
    }
    return purposes[id];
  }

  /* The next start on or after today, else "on demand" or "no intake announced". */
  function nextIntake(entry) {
    var next = entry.starts.filter(function (d) { return d >= today; })[0];
    if (next) return next;
    return entry.onDemand ? extra.onDemand : extra.noIntake;
  }

  function card(entry, forms, fields) {
    var item = document.createElement("li");
    item.className = "mq-card";
    var heading = document.createElement("h3");
    heading.className = "mq-card__title";
    var link = document.createElement("a");
    link.href = base + entry.path;
    link.textContent = "";
    link.appendChild(marked(entry.title, forms));
    heading.appendChild(link);
    if (entry.titleFallback) {
      /* As the listings show a Latvian title on an English page: marked, with a note. */
      link.textContent = "";
      var original = document.createElement("span");
      original.lang = "lv";
      original.textContent = entry.title;
      var note = document.createElement("small");
      note.className = "mq-fallback";
      note.textContent = "(" + config.latvianOnly + ")";
      link.appendChild(original);
      heading.appendChild(document.createTextNode(" "));
      heading.appendChild(note);
    }
    item.appendChild(heading);
    entry.badges.forEach(function (code) {
      var badge = document.createElement("span");
      badge.className = "mq-badge mq-badge--" + tables.badge[code][0];
      badge.textContent = tables.badge[code][1];
      item.appendChild(badge);
    });
    var facts = document.createElement("dl");
    facts.className = "mq-card__facts";
    facts.appendChild(fact(config.facts.level, entry.level));
    facts.appendChild(fact(config.facts.workload, entry.workload));
    facts.appendChild(fact(config.facts.participation, entry.participation));
    facts.appendChild(fact(config.facts.providers, entry.providers));
    facts.appendChild(fact(config.facts.languages, entry.languages));
    facts.appendChild(fact(extra.next_intake, nextIntake(entry)));
    facts.appendChild(fact(extra.cost, entry.price));
    if (forms.length) {
      var excerpt = document.createElement("p");
      excerpt.className = "mq-card__excerpt";
      item.appendChild(excerpt);
      purpose(entry).then(function (text) {
        if (!text) return;
        if (text.lang) excerpt.lang = text.lang;
        excerpt.appendChild(marked(text.value, forms));
      });
      var where = Object.keys(fields || {}).map(function (field) { return extra["field_" + field]; }).filter(Boolean);
      if (where.length) {
        var reason = document.createElement("p");
        reason.className = "mq-card__why";
        reason.textContent = extra.matched_in.replace("{fields}", where.join(", "));
        item.appendChild(reason);
      }
    }
    item.appendChild(facts);
    item.appendChild(compareBox(entry));
    return item;
  }

  /* Choosing results for the comparison. */
  function compareKey(entry) { return entry.path.replace(/\/$/, ""); }

  function compareBox(entry) {
    var wrap = document.createElement("p");
    wrap.className = "mq-card__compare";
    var label = document.createElement("label");
    var box = document.createElement("input");
    box.type = "checkbox";
    box.dataset.compare = compareKey(entry);
    box.checked = chosenPaths.indexOf(box.dataset.compare) >= 0;
    box.disabled = !box.checked && chosenPaths.length >= COMPARE_MAX;
    box.setAttribute("aria-label", extra.select.replace("{title}", entry.title));
    label.appendChild(box);
    label.appendChild(document.createTextNode(" " + extra.compare));
    wrap.appendChild(label);
    return wrap;
  }

  function showCompare() {
    compareBar.hidden = !chosenPaths.length;
    var params = new URLSearchParams();
    chosenPaths.forEach(function (path) { params.append("e", path); });
    compareLink.href = form.dataset.compare + "?" + params.toString();
    compareLink.textContent = extra.compare_link.replace("{n}", chosenPaths.length);
    compareNote.textContent = chosenPaths.length >= COMPARE_MAX ? extra.limit : "";
    list.querySelectorAll("input[data-compare]").forEach(function (box) {
      box.checked = chosenPaths.indexOf(box.dataset.compare) >= 0;
      box.disabled = !box.checked && chosenPaths.length >= COMPARE_MAX;
    });
  }

  var collator = new Intl.Collator(language);
  function order(found, scores) {
    var by = sort.value;
    if (by === "relevance" && !scores) by = "title";
    found.sort(function (a, b) {
      if (by === "relevance") return (scores[b.ref] - scores[a.ref]) || collator.compare(a.title, b.title);
      if (by === "workload") return (a.hours - b.hours) || collator.compare(a.title, b.title);
      return collator.compare(a.title, b.title);
    });
    return found;
  }

  var ready = false;
  var generation = 0;
  function update() {
    if (!ready) return;
    var mine = ++generation;
    var why = {};
    return search(query.value, why).then(function (scores) {
      if (mine !== generation) return;
      var chosen = selected();
      var candidates = scores ? entries.filter(function (e) { return e.ref in scores; }) : entries.slice();
      groups.forEach(function (group) {
        var param = group.dataset.param;
        var counts = {};
        candidates.forEach(function (entry) {
          if (!matches(entry, chosen, param)) return;
          values(entry, param).forEach(function (value) { counts[value] = (counts[value] || 0) + 1; });
        });
        group.querySelectorAll("input").forEach(function (input) {
          var n = counts[input.value] || 0;
          input.nextElementSibling.querySelector("[data-count]").textContent = "(" + n + ")";
        });
      });
      var found = order(candidates.filter(function (e) { return matches(e, chosen, null); }), scores);
      list.textContent = "";
      var forms = [];
      words(query.value).forEach(function (wordForms) {
        wordForms.forEach(function (f) { f = fold(f); if (f && forms.indexOf(f) < 0) forms.push(f); });
      });
      found.slice(0, shown).forEach(function (entry) { list.appendChild(card(entry, forms, why[entry.ref])); });
      showCompare();
      more.hidden = found.length <= shown;
      count.textContent = found.length ? format(config.labels.results, found.length) : config.labels.no_results;
    }).catch(failed);
  }

  /* State <-> URL. */
  function stateToUrl(push) {
    var params = new URLSearchParams();
    if (query.value.trim()) params.set("s", query.value.trim());
    var chosen = selected();
    Object.keys(chosen).forEach(function (param) {
      chosen[param].forEach(function (value) { params.append(param, value); });
    });
    if (sort.value !== "relevance") params.set("sort", sort.value);
    chosenPaths.forEach(function (path) { params.append("c", path); });
    var search = params.toString();
    var url = location.pathname + (search ? "?" + search : "");
    if (url === location.pathname + location.search) return;
    if (push) history.pushState(null, "", url);
    else history.replaceState(null, "", url);
  }

  function urlToState() {
    var params = new URLSearchParams(location.search);
    query.value = params.get("s") || "";
    sort.value = params.get("sort") || "relevance";
    chosenPaths = params.getAll("c").filter(function (path) { return /^[a-z0-9-]+\/[a-z0-9-]+$/.test(path); }).slice(0, COMPARE_MAX);
    groups.forEach(function (group) {
      var wanted = params.getAll(group.dataset.param);
      group.querySelectorAll("input").forEach(function (input) {
        input.checked = wanted.indexOf(input.value) >= 0;
      });
    });
  }

  var typing;
  query.addEventListener("input", function () {
    clearTimeout(typing);
    typing = setTimeout(function () { shown = PAGE; stateToUrl(false); update(); }, 150);
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    clearTimeout(typing);
    shown = PAGE;
    stateToUrl(true);
    update();
  });
  form.addEventListener("change", function (event) {
    if (event.target === query) return;
    var key = event.target.dataset.compare;
    if (key) {
      chosenPaths = chosenPaths.filter(function (path) { return path !== key; });
      if (event.target.checked && chosenPaths.length < COMPARE_MAX) chosenPaths.push(key);
      stateToUrl(false);
      showCompare();
      return;
    }
    shown = PAGE;
    stateToUrl(true);
    update();
  });
  clear.addEventListener("click", function () {
    form.querySelectorAll("fieldset input[type=checkbox]").forEach(function (input) { input.checked = false; });
    shown = PAGE;
    stateToUrl(true);
    update();
  });
  more.addEventListener("click", function () {
    shown += PAGE;
    update();
  });
  window.addEventListener("popstate", function () {
    urlToState();
    shown = PAGE;
    update();
  });

  function failed(error) {
    count.textContent = config.labels.error;
    if (window.console) console.error(error);
  }

  urlToState();
  /* The query's shards load while the records do. */
  var shardsLoaded = search(query.value);
  var recordsLoaded = fetch(form.dataset.records).then(function (r) {
    if (!r.ok) throw new Error(r.status);
    return r.json();
  });
  Promise.all([recordsLoaded, shardsLoaded]).then(function (loaded) {
    var data = loaded[0];
    var fields = data.fields;
    tables = data.tables;
    entries = data.entries.map(function (row, position) {
      var entry = { ref: String(position) };
      fields.forEach(function (name, i) { entry[name] = row[i]; });
      data.textFields.forEach(function (name) { entry[name] = data.texts[entry[name]]; });
      entry.sector = tables.sector[entry.sector][0];
      entry.langs = entry.langs.map(function (i) { return tables.language[i][0]; });
      entry.provs = entry.provs.map(function (i) { return tables.provider[i][0]; });
      entry.places = entry.places.map(function (i) { return tables.place[i][0]; });
      return entry;
    });
    ready = true;
    return update();
  }).catch(failed);
})();
