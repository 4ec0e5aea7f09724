/* The verification page: the checks of generator/credentials/verification.py, in the browser.
 *
 * Reads only this site's published registry (same origin, no third party) and
 * checks signatures and digests with the browser's Web Crypto. The checks, their
 * order and their reasons are those of `mqcat verify`; the words come from the
 * page's label table. Every text from a credential is shown with textContent.
 */
(function () {
  "use strict";

  var form = document.getElementById("mq-verify");
  if (!form) return;
  var config = JSON.parse(document.getElementById("mq-verify-config").textContent);
  var L = config.labels;
  var M = L.messages;
  var CHECKS = ["signature", "key", "awarding_body", "version", "state", "revocation"];
  var ENVELOPE = "data:application/vc+jwt,";
  var TYPES = ["vc+jwt", "mqcat-paper+jwt", "JWT"];
  var ALGORITHMS = {
    ES256: { kty: "EC", crv: "P-256", importAs: { name: "ECDSA", namedCurve: "P-256" },
             verifyAs: { name: "ECDSA", hash: "SHA-256" } },
    EdDSA: { kty: "OKP", crv: "Ed25519", importAs: { name: "Ed25519" }, verifyAs: { name: "Ed25519" } }
  };
  var DIGESTS = { sha256: "SHA-256", sha384: "SHA-384", sha512: "SHA-512" };
  var siteRoot = new URL(form.getAttribute("data-site-root") || "./", document.baseURI);

  function Unusable(message) { this.message = message; }

  function fill(template, values) {
    return String(template).replace(/\{(\w+)\}/g, function (match, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : match;
    });
  }

  function bytesOfBase64url(text) {
    if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new Unusable(M.unusable_format);
    var b64 = text.replace(/-/g, "+").replace(/_/g, "/");
    while (b64.length % 4) b64 += "=";
    var binary;
    try { binary = atob(b64); } catch (e) { throw new Unusable(M.unusable_format); }
    var out = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
    return out;
  }

  function base64(bytes) {
    var binary = "";
    for (var i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]);
    return btoa(binary);
  }

  function jsonOfBase64url(part) {
    try {
      return JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytesOfBase64url(part)));
    } catch (e) {
      throw new Unusable(M.unusable_format);
    }
  }

  function isObject(value) { return value !== null && typeof value === "object" && !Array.isArray(value); }

  function tokenOf(text) {
    text = String(text).trim().replace(/^\uFEFF/, "");
    if (text.charAt(0) === "{" || text.charAt(0) === "\"") {
      var data;
      try { data = JSON.parse(text); } catch (e) { throw new Unusable(M.unusable_json); }
      if (typeof data === "string") return tokenOf(data);
      if (isObject(data) && typeof data.id === "string" && data.id.indexOf(ENVELOPE) === 0) {
        return data.id.slice(ENVELOPE.length);
      }
      if (isObject(data) && "credentialSubject" in data) throw new Unusable(M.unusable_unsigned);
      throw new Unusable(M.unusable_json);
    }
    if (text.split(".").length !== 3 || /\s/.test(text)) throw new Unusable(M.unusable_format);
    return text;
  }

  function rigaDate(seconds) {
    // en-CA writes dates as YYYY-MM-DD; credentials' dates are Latvian calendar days.
    return new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Riga", year: "numeric", month: "2-digit",
                                              day: "2-digit" }).format(new Date(seconds * 1000));
  }

  function versionUrl(entry, version) {
    return config.siteUrl + fill(config.paths.version, { id: entry, version: version });
  }

  function factsOf(header, payload) {
    var typ = header.typ === undefined ? "JWT" : header.typ;
    if (TYPES.indexOf(typ) < 0) throw new Unusable(M.unusable_type);
    if (typ === "mqcat-paper+jwt") {
      var facts = { kind: "paper", issuer: payload.iss, id: payload.jti, name: payload.name, entry: payload.entry,
                    version: payload.version, digest: payload.digest, statusIndex: payload.status,
                    statusList: null, issued: typeof payload.nbf === "number" ? rigaDate(payload.nbf) : null };
      if (typeof facts.entry === "string" && typeof facts.version === "number") {
        facts.versionUrl = versionUrl(facts.entry, facts.version);
      }
      return facts;
    }
    var subject = payload.credentialSubject;
    var achievement = isObject(subject) ? subject.achievement : null;
    if (!isObject(achievement)) throw new Unusable(M.unusable_content);
    var names = (Array.isArray(subject.identifier) ? subject.identifier : []).filter(function (item) {
      return isObject(item) && item.identityType === "name";
    });
    var resource = Array.isArray(payload.relatedResource) && isObject(payload.relatedResource[0])
      ? payload.relatedResource[0] : {};
    var status = isObject(payload.credentialStatus) ? payload.credentialStatus : {};
    var issuer = isObject(payload.issuer) ? payload.issuer.id : payload.issuer;
    var version = achievement.version;
    return {
      kind: "credential", issuer: issuer, iss: payload.iss, id: payload.id,
      name: names.length ? names[0].identityHash : null, title: payload.name, entry: achievement.humanCode,
      version: typeof version === "string" && /^\d+$/.test(version) ? parseInt(version, 10) : null,
      versionUrl: resource.id, digest: resource.digestSRI,
      issued: typeof payload.validFrom === "string" ? payload.validFrom.slice(0, 10) : null,
      statusIndex: /^\d+$/.test(String(status.statusListIndex)) ? parseInt(status.statusListIndex, 10) : null,
      statusList: status.statusListCredential
    };
  }

  function sitePath(url) {
    return typeof url === "string" && url.indexOf(config.siteUrl) === 0 ? url.slice(config.siteUrl.length) : null;
  }

  function fetchBytes(path) {
    return fetch(new URL(path, siteRoot).href, { credentials: "omit", cache: "no-cache" }).then(function (response) {
      if (!response.ok) return null;
      return response.arrayBuffer().then(function (buffer) { return new Uint8Array(buffer); });
    }, function () { return null; });
  }

  function fetchJson(path) {
    return fetchBytes(path).then(function (bytes) {
      if (bytes === null) return null;
      try { return JSON.parse(new TextDecoder("utf-8").decode(bytes)); } catch (e) { return null; }
    });
  }

  function plainId(value) { return typeof value === "string" && /^[a-z0-9-]{1,80}$/.test(value); }

  function stateOn(entry, day) {
    if (!entry.approved || day < entry.approved) return null;
    var states = Array.isArray(entry.states) ? entry.states : [];
    var current = states.length ? states[0].status : null;
    states.forEach(function (item) { if (item.since <= day) current = item.status; });
    return current;
  }

  function sameDigest(sri, bytes) {
    var algorithm = String(sri).split("-")[0];
    if (!DIGESTS[algorithm]) return Promise.resolve(false);
    return crypto.subtle.digest(DIGESTS[algorithm], bytes).then(function (hash) {
      return sri === algorithm + "-" + base64(new Uint8Array(hash));
    });
  }

  function bitIsSet(encoded, index) {
    if (typeof encoded !== "string" || encoded.charAt(0) !== "u" || typeof DecompressionStream === "undefined") {
      return Promise.reject(new Error("unreadable"));
    }
    var stream = new Blob([bytesOfBase64url(encoded.slice(1))]).stream().pipeThrough(new DecompressionStream("gzip"));
    return new Response(stream).arrayBuffer().then(function (buffer) {
      var bits = new Uint8Array(buffer);
      if (index < 0 || index >= bits.length * 8) throw new Error("outside");
      return (bits[index >> 3] & (0x80 >> (index % 8))) !== 0;
    });
  }

  function verifySignature(token, alg, jwk) {
    var spec = ALGORITHMS[alg];
    var parts = token.split(".");
    var publicJwk = { kty: jwk.kty, crv: jwk.crv, x: jwk.x };
    if (jwk.y) publicJwk.y = jwk.y;
    return crypto.subtle.importKey("jwk", publicJwk, spec.importAs, false, ["verify"]).then(function (key) {
      return crypto.subtle.verify(spec.verifyAs, key, bytesOfBase64url(parts[2]),
                                  new TextEncoder().encode(parts[0] + "." + parts[1]));
    });
  }

  async function verifyToken(token) {
    if (!window.crypto || !crypto.subtle) throw new Unusable(M.unusable_crypto);
    var parts = token.split(".");
    if (parts.length !== 3) throw new Unusable(M.unusable_format);
    var header = jsonOfBase64url(parts[0]);
    var payload = jsonOfBase64url(parts[1]);
    if (!isObject(header) || !isObject(payload)) throw new Unusable(M.unusable_format);
    var facts = factsOf(header, payload);
    var checks = [];
    function add(name, ok, message) { checks.push({ name: name, ok: ok, message: message }); }

    var alg = header.alg;
    var kid = typeof header.kid === "string" ? header.kid : "";
    if (facts.kind === "paper" && kid && kid.indexOf("#") < 0) {
      // A paper token names the key by its own id; the issuer's DID is its `iss`.
      kid = String(facts.issuer || "") + "#" + kid;
    }
    var did = kid.split("#")[0];
    var keyName = kid.indexOf("#") >= 0 ? kid.slice(kid.indexOf("#") + 1) : "";
    var prefix = config.siteDid + ":providers:";
    var providerId = did.indexOf(prefix) === 0 && plainId(did.slice(prefix.length)) ? did.slice(prefix.length) : null;
    var record = providerId ? await fetchJson(fill(config.paths.issuer, { id: providerId })) : null;
    var keys = record && Array.isArray(record.keys) ? record.keys : [];
    var registered = keys.filter(function (k) { return k.kid === keyName; })[0] || null;

    // signature
    if (!Object.prototype.hasOwnProperty.call(ALGORITHMS, alg)) {
      add("signature", false, fill(M.sig_alg, { alg: String(alg) }));
    } else if (!registered) {
      add("signature", false, M.sig_nokey);
    } else if (registered.alg !== alg) {
      add("signature", false, fill(M.sig_swapped, { alg: alg, key_alg: registered.alg }));
    } else {
      try {
        var good = await verifySignature(token, alg, registered.jwk);
        add("signature", good, good ? fill(M.sig_ok, { alg: alg }) : M.sig_bad);
      } catch (error) {
        add("signature", false, error && error.name === "NotSupportedError" ? fill(M.sig_unsupported, { alg: alg })
                                                                           : M.sig_bad);
      }
    }

    // key
    var issued = typeof facts.issued === "string" && /^\d{4}-\d{2}-\d{2}$/.test(facts.issued) ? facts.issued : null;
    if (!providerId) {
      add("key", false, M.key_foreign);
    } else if (!record) {
      add("key", false, fill(M.key_unknown_provider, { provider: providerId }));
    } else if (facts.issuer !== did || (facts.kind === "credential" && facts.iss !== did)) {
      add("key", false, fill(M.key_issuer, { issuer: String(facts.issuer), provider: providerId }));
    } else if (!registered) {
      add("key", false, fill(M.key_unregistered, { kid: keyName, provider: providerId }));
    } else if (registered.revoked) {
      add("key", false, fill(M.key_revoked, { date: registered.revoked }));
    } else if (!issued) {
      add("key", false, M.key_no_date);
    } else if (!(registered.validFrom <= issued && issued <= registered.validUntil)) {
      add("key", false, fill(M.key_dates, { from: registered.validFrom, until: registered.validUntil, date: issued }));
    } else {
      add("key", true, fill(M.key_ok, { provider: record.name || providerId, date: issued }));
    }

    // awarding_body
    var entryId = facts.entry;
    var entry = plainId(entryId) ? await fetchJson(fill(config.paths.entry, { id: entryId })) : null;
    var bodies = entry && Array.isArray(entry.awardingBodies) ? entry.awardingBodies : [];
    if (!entry) {
      add("awarding_body", false, fill(M.body_unknown, { entry: String(entryId) }));
    } else if (bodies.indexOf(providerId) < 0) {
      add("awarding_body", false, fill(M.body_not, { provider: String(providerId), entry: entryId }));
    } else {
      add("awarding_body", true, fill(M.body_ok, { provider: providerId }));
    }

    // version
    var version = facts.version;
    var expected = entry && typeof version === "number" ? versionUrl(entryId, version) : null;
    if (!expected) {
      add("version", false, M.version_no_ref);
    } else if (facts.versionUrl !== expected) {
      add("version", false, M.version_wrong_url);
    } else {
      var content = await fetchBytes(sitePath(expected));
      if (content === null) {
        add("version", false, fill(M.version_missing, { version: version, entry: entryId }));
      } else if (!facts.digest) {
        add("version", false, M.version_no_digest);
      } else if (!(await sameDigest(facts.digest, content))) {
        add("version", false, fill(M.version_digest, { version: version }));
      } else {
        add("version", true, fill(M.version_ok, { version: version }));
      }
    }

    // state
    if (!entry || !issued) {
      add("state", false, M.state_unknown);
    } else {
      var state = stateOn(entry, issued);
      if (state === "active") add("state", true, fill(M.state_ok, { date: issued }));
      else if (state === null) add("state", false, fill(M.state_not_approved, { date: issued }));
      else add("state", false, fill(M.state_other, { state: (config.states || {})[state] || state, date: issued }));
    }

    // revocation
    var expectedList = providerId ? config.siteUrl + fill(config.paths.status, { id: providerId }) : null;
    var index = facts.statusIndex;
    var listed = facts.statusList || (facts.kind === "paper" ? expectedList : null);
    if (typeof index !== "number" || !listed) {
      add("revocation", false, M.rev_none);
    } else if (listed !== expectedList) {
      add("revocation", false, fill(M.rev_foreign, { provider: String(providerId) }));
    } else {
      var list = await fetchJson(fill(config.paths.status, { id: providerId }));
      try {
        var revoked = await bitIsSet(list && list.credentialSubject && list.credentialSubject.encodedList, index);
        add("revocation", !revoked, revoked ? M.rev_revoked : M.rev_ok);
      } catch (error) {
        add("revocation", false, M.rev_unreadable);
      }
    }
    return { checks: checks, facts: facts };
  }

  // Showing the answer.

  var status = document.getElementById("mq-verify-status");
  var result = document.getElementById("mq-verify-result");
  var summary = document.getElementById("mq-verify-summary");
  var list = document.getElementById("mq-verify-checks");
  var factsList = document.getElementById("mq-verify-facts");
  var paperNote = document.getElementById("mq-verify-paper");
  var textarea = document.getElementById("mq-verify-token");

  function element(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined) node.textContent = text;
    if (className) node.className = className;
    return node;
  }

  function show(outcome, unusable) {
    list.textContent = "";
    factsList.textContent = "";
    paperNote.hidden = true;
    if (unusable !== undefined) {
      summary.textContent = fill(L.result_unusable, { reason: unusable });
      result.setAttribute("data-valid", "unusable");
    } else {
      var failed = outcome.checks.filter(function (c) { return !c.ok; });
      var valid = failed.length === 0 && outcome.checks.length === CHECKS.length;
      summary.textContent = valid ? L.result_valid
        : fill(L.result_invalid, { reason: L.checks[failed[0].name] + ": " + failed[0].message });
      result.setAttribute("data-valid", valid ? "true" : "false");
      outcome.checks.forEach(function (check) {
        var item = element("li", undefined, "mq-verify-check mq-verify-check--" + (check.ok ? "ok" : "failed"));
        item.setAttribute("data-check", check.name);
        item.setAttribute("data-ok", check.ok ? "true" : "false");
        item.appendChild(element("strong", L.checks[check.name]));
        item.appendChild(document.createTextNode(": "));
        item.appendChild(element("span", check.ok ? L.ok : L.failed, "mq-verify-verdict"));
        item.appendChild(document.createTextNode(". " + check.message));
        list.appendChild(item);
      });
      var f = outcome.facts;
      var rows = [["name", f.name], ["entry", f.title ? f.title + " (" + f.entry + ")" : f.entry],
                  ["version", f.version], ["issued", f.issued], ["issuer", f.issuer], ["id", f.id],
                  ["kind", f.kind === "paper" ? L.facts.kind_paper : L.facts.kind_credential]];
      rows.forEach(function (row) {
        if (row[1] === undefined || row[1] === null || row[1] === "") return;
        var group = element("div");
        group.appendChild(element("dt", L.facts[row[0]]));
        group.appendChild(element("dd", String(row[1])));
        factsList.appendChild(group);
      });
      paperNote.hidden = f.kind !== "paper";
    }
    result.hidden = false;
    status.textContent = summary.textContent;
    summary.focus();
  }

  function check(text) {
    status.textContent = L.checking;
    var token;
    try { token = tokenOf(text); } catch (error) {
      if (error instanceof Unusable) { show(null, error.message); return Promise.resolve(); }
      throw error;
    }
    return verifyToken(token).then(function (outcome) { show(outcome); }, function (error) {
      show(null, error instanceof Unusable ? error.message : M.unusable_format);
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    check(textarea.value);
  });
  document.getElementById("mq-verify-file").addEventListener("change", function (event) {
    var file = event.target.files && event.target.files[0];
    if (!file) return;
    file.text().then(function (text) {
      textarea.value = text.trim();
      check(text);
    });
  });

  // A printed certificate's code opens this page with its token in the fragment (never sent to a server).
  var fragment = new URLSearchParams(location.hash.slice(1));
  if (fragment.get("t")) {
    textarea.value = fragment.get("t");
    document.getElementById("mq-verify-from-link").hidden = false;
    check(fragment.get("t"));
  }
})();
