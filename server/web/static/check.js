// 网页校验: upload workbooks with progress, show the findings, download the annotated copy, submit.
(function () {
  "use strict";
  var results = document.getElementById("results");
  var zone = document.getElementById("dropzone");
  var input = document.getElementById("files");
  var SEVERITY = { error: "错误", warning: "提示", info: "说明" };

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  var PUBLISHED = /\.(pdf|html?|docx|txt)$/i;

  function show(value) { return value === null || value === undefined ? "" : value; }

  function post(url, form, options) {
    return new Promise(function (resolve) {
      var xhr = new XMLHttpRequest();
      xhr.open("POST", url);
      xhr.setRequestHeader("Accept", "application/json");
      if (options.blob) xhr.responseType = "blob";
      if (options.progress) xhr.upload.onprogress = function (e) { if (e.lengthComputable) options.progress(e.loaded / e.total); };
      xhr.onload = function () { resolve(xhr); };
      xhr.onerror = function () { resolve(null); };
      xhr.send(form);
    });
  }

  function errorText(xhr) {
    if (!xhr) return "无法连接校验服务，请检查网络后重试。";
    try { return JSON.parse(xhr.responseText).error; } catch (e) { return "校验失败（" + xhr.status + "）。"; }
  }

  // One story per mistake (issue 10): each finding standing alone, then the ones it explains.
  var MERGED = { "value.text": true, "value.numeric_text": true };

  function stories(findings) {
    var ids = {};
    findings.forEach(function (f) { if (f.id) ids[f.id] = true; });
    var alone = findings.filter(function (f) { return !(f.explained_by && ids[f.explained_by]); });
    return alone.map(function (f) {
      var tied = findings.filter(function (c) { return f.id && c.explained_by === f.id; });
      var merged = tied.filter(function (c) { return MERGED[c.rule] && c.key === f.key; });
      return { finding: f, merged: merged, consequences: tied.filter(function (c) { return merged.indexOf(c) < 0; }) };
    });
  }

  function row(body, cls, cells) {
    var tr = body.appendChild(el("tr", { "class": cls }));
    cells.forEach(function (c) { tr.appendChild(el("td", c[1] ? { "class": c[1] } : {}, show(c[0]))); });
  }

  function findingsTable(findings) {
    var table = el("table", { "class": "findings" });
    var head = el("tr");
    ["类别", "工作表", "单元格", "规则", "说明", "应为", "实为", "参考值"].forEach(function (h) { head.appendChild(el("th", {}, h)); });
    table.appendChild(el("thead")).appendChild(head);
    var body = table.appendChild(el("tbody"));
    if (!findings.length) { var tr = body.appendChild(el("tr")); tr.appendChild(el("td", { colspan: 8 }, "没有发现问题。")); }
    stories(findings).forEach(function (story) {
      var f = story.finding;
      var choices = f.rule === "locate.ambiguous";  // the message lists the choices; no single 应为
      var typed = choices ? "" : story.merged.length ? story.merged[0].actual : f.actual;
      row(body, "sev-" + f.severity + " rule-" + f.rule.replace(/\./g, "-"),
        [[SEVERITY[f.severity], "sev"], [f.sheet], [f.cell], [f.name || ""], [f.message], [choices ? "" : show(f.expected)], [show(typed)], [show(f.suggestion)]]);
      story.consequences.forEach(function (c) {
        row(body, "consequence rule-" + c.rule.replace(/\./g, "-"),
          [["由上条引起", "sev"], [c.sheet], [c.cell], [c.name || ""], ["↳ " + c.message, "message"], [""], [show(c.actual)], [""]]);
      });
    });
    return table;
  }

  function download(file, card, tables) {
    var form = new FormData();
    form.append("file", file);
    var note = card.querySelector(".download-note");
    note.textContent = "正在生成……";
    post(results.dataset.annotatedUrl + (tables ? "?as=docx" : ""), form, { blob: true }).then(function (xhr) {
      if (!xhr || xhr.status !== 200) { note.textContent = "下载失败，请重试。"; return; }
      var published = tables || PUBLISHED.test(file.name);
      var name = published ? file.name.replace(PUBLISHED, "").replace(/\.xlsx$/i, "") + ".统计表.docx" : file.name.replace(/\.xlsx$/i, "") + ".checked.xlsx";
      var link = el("a", { href: URL.createObjectURL(xhr.response), download: name });
      document.body.appendChild(link); link.click(); link.remove();
      note.textContent = published ? "已下载统计表（Word）。" : "已下载标注后的工作簿。";
    });
  }

  function submitBox(file, report, card) {
    if (!results.dataset.submitUrl || PUBLISHED.test(file.name)) return;
    var box = card.appendChild(el("div", { "class": "submit-box" }));
    if (!report.ok) { box.appendChild(el("p", { "class": "muted" }, "有错误的报告不能提交：请在 Excel 中改正后重新上传。")); return; }
    var explanation = null;
    if (report.counts.warning) {
      box.appendChild(el("label", {}, "审核说明（有 " + report.counts.warning + " 处提示，请逐项说明原因）"));
      explanation = box.appendChild(el("textarea", { name: "explanation", maxlength: results.dataset.maxText }));
    }
    var button = box.appendChild(el("button", { "class": "btn", type: "button" }, "提交给区政务公开办"));
    var message = box.appendChild(el("p", { "class": "submit-message" }));
    button.addEventListener("click", function () {
      var form = new FormData();
      form.append("file", file);
      form.append("csrf_token", results.dataset.csrf);
      if (explanation) form.append("explanation", explanation.value);
      button.disabled = true;
      message.textContent = "正在提交……";
      post(results.dataset.submitUrl, form, {}).then(function (xhr) {
        button.disabled = false;
        if (xhr && xhr.status === 200) { message.textContent = JSON.parse(xhr.responseText).message; button.remove(); return; }
        message.textContent = errorText(xhr);
      });
    });
  }

  function render(file, report, card) {
    card.querySelector(".state").textContent = report.summary + "（" + (report.heading || report.version + " 年版格式") + "）";
    card.classList.add(report.ok ? "ok" : "failed");
    var tools = card.appendChild(el("p", { "class": "toolbar" }));
    var label = PUBLISHED.test(file.name) ? "下载统计表（Word，官方格式）" : "下载标注后的工作簿";
    var button = tools.appendChild(el("button", { "class": "btn secondary", type: "button" }, label));
    tools.appendChild(el("span", { "class": "download-note muted" }));
    button.addEventListener("click", function () { download(file, card, false); });
    if (!PUBLISHED.test(file.name) && report.ok) {
      var tables = tools.appendChild(el("button", { "class": "btn secondary", type: "button" }, "下载统计表（Word，用于年报正文）"));
      tables.addEventListener("click", function () { download(file, card, true); });
    }
    card.appendChild(findingsTable(report.findings));
    submitBox(file, report, card);
  }

  function check(file) {
    var card = results.appendChild(el("section", { "class": "card file-result" }));
    card.appendChild(el("h3", {}, file.name));
    var bar = card.appendChild(el("progress", { max: 100, value: 0 }));
    var state = card.appendChild(el("span", { "class": "state" }, " 正在上传……"));
    var form = new FormData();
    form.append("file", file);
    post(results.dataset.checkUrl, form, { progress: function (p) { bar.value = Math.round(p * 100); if (p >= 1) state.textContent = " 正在校验……"; } })
      .then(function (xhr) {
        bar.remove();
        if (!xhr || xhr.status !== 200) { state.textContent = errorText(xhr); card.classList.add("failed"); return; }
        render(file, JSON.parse(xhr.responseText), card);
      });
  }

  function take(files) { Array.prototype.forEach.call(files, check); }

  zone.addEventListener("click", function () { input.click(); });
  zone.addEventListener("keydown", function (e) { if (e.key === "Enter" || e.key === " ") input.click(); });
  input.addEventListener("change", function () { take(input.files); input.value = ""; });
  zone.addEventListener("dragover", function (e) { e.preventDefault(); zone.classList.add("over"); });
  zone.addEventListener("dragleave", function () { zone.classList.remove("over"); });
  zone.addEventListener("drop", function (e) { e.preventDefault(); zone.classList.remove("over"); take(e.dataTransfer.files); });
}());
