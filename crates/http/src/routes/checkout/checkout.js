"use strict";
(function () {
  var el = function (id) { return document.getElementById(id); };
  var dataNode = el("data");
  if (!dataNode) { return; }
  var data = JSON.parse(dataNode.textContent);
  var t = data.t;
  var token = null;
  // One key per attempt: kept across retries of the same choice (a lost answer can be asked
  // again safely), replaced once OKPay gave a definite answer.
  var key = newKey();

  function newKey() {
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return "checkout-" + Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  function say(text, kind) {
    var m = el("message");
    m.textContent = text || "";
    m.className = kind || "";
  }

  function money(minor) {
    var e = data.exponent;
    return (minor / Math.pow(10, e)).toFixed(e) + " " + data.currency.toUpperCase();
  }

  function api(method, path, body, idempotencyKey) {
    var headers = { "Accept-Language": data.lang };
    if (body) { headers["Content-Type"] = "application/json"; }
    if (token) { headers["Authorization"] = "Bearer " + token; }
    if (idempotencyKey) { headers["Idempotency-Key"] = idempotencyKey; }
    return fetch(path, { method: method, headers: headers, body: body ? JSON.stringify(body) : undefined })
      .then(function (r) {
        return r.json().catch(function () { return {}; }).then(function (b) { return { status: r.status, body: b }; });
      });
  }

  function errorText(r) {
    return (r.body && r.body.error && r.body.error.message) || t.network_error;
  }

  function setStatus(status) {
    el("status").textContent = t[status] || status;
  }

  function option(value, label, checked) {
    var l = document.createElement("label");
    var i = document.createElement("input");
    i.type = "radio";
    i.name = "payment_method";
    i.value = value;
    i.checked = checked;
    i.addEventListener("change", function () { key = newKey(); });
    l.appendChild(i);
    l.appendChild(document.createTextNode(label));
    return l;
  }

  function loadMethods() {
    var box = el("methods");
    box.textContent = "";
    var jobs = [];
    if (data.wallet) {
      jobs.push(api("GET", "/v1/balances").then(function (r) {
        var rows = (r.body && r.body.data) || [];
        var mine = rows.filter(function (b) { return b.currency === data.currency; })[0];
        var available = mine ? mine.available : 0;
        return [["wallet", t.wallet + ": " + money(available)]];
      }));
    }
    if (data.card) {
      jobs.push(api("GET", "/v1/payment-methods").then(function (r) {
        var rows = (r.body && r.body.data) || [];
        return rows.filter(function (pm) { return pm.type === "card" && pm.card; }).map(function (pm) {
          return [pm.id, pm.card.brand + " ****" + pm.card.last4];
        });
      }));
    }
    return Promise.all(jobs).then(function (lists) {
      var all = [].concat.apply([], lists);
      all.forEach(function (o, i) { box.appendChild(option(o[0], o[1], i === 0)); });
      if (all.length === 0) { say(t.no_methods, "error"); return; }
      el("pay").hidden = false;
    });
  }

  var signin = el("signin");
  if (signin) {
    signin.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var f = signin.elements;
      var body = { email: f.email.value, password: f.password.value };
      if (f.otp.value) { body.otp = f.otp.value; }
      say("");
      api("POST", "/v1/sessions", body).then(function (r) {
        if (r.status === 201 && r.body.token) {
          token = r.body.token;
          signin.hidden = true;
          return loadMethods();
        }
        if (r.body && r.body.error && r.body.error.code === "otp_required") { el("otp").hidden = false; }
        say(errorText(r), "error");
      }).catch(function () { say(t.network_error, "error"); });
    });
  }

  var pay = el("pay");
  if (pay) {
    pay.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var chosen = pay.querySelector("input[name=payment_method]:checked");
      if (!chosen) { return; }
      var button = pay.querySelector("button");
      button.disabled = true;
      say("");
      api("POST", "/v1/payments/" + encodeURIComponent(data.id) + "/confirm",
        { payment_method: chosen.value }, key).then(function (r) {
        button.disabled = false;
        if (r.status === 200 && r.body.status === "succeeded") {
          setStatus("succeeded");
          pay.hidden = true;
          say(t.paid + (data.return_url ? " " + t.returning : ""), "ok");
          if (data.return_url) {
            setTimeout(function () { window.location.assign(data.return_url); }, 1500);
          }
          return;
        }
        var retrySafe = r.status === 409 && r.body.error && r.body.error.code === "idempotency_key_in_use";
        if (!retrySafe && r.status < 500 && r.status !== 429) { key = newKey(); }
        var code = r.body && r.body.error && r.body.error.code;
        if (r.body && r.body.error && r.body.error.type === "card_error") { setStatus("failed"); pay.hidden = true; }
        if (code === "payment_already_completed") { pay.hidden = true; }
        say(errorText(r), "error");
      }).catch(function () {
        button.disabled = false;
        say(t.network_error, "error");
      });
    });
  }
})();
