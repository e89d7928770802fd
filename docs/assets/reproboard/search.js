/* Site search, loaded when used and in the reader's language.
 *
 * Material's script requests search/search_index.json as soon as a page opens (188 KB on the small
 * board, megabytes on a big one), and the index holds every language. This script runs before
 * Material's: it holds that one request back until the reader first focuses the search box (or
 * opens search on a phone), then answers it with the pages of the page's own language only
 * (Chinese pages live under zh/). Every other request is left alone.
 */
(function () {
  "use strict";
  var prefix = document.documentElement.lang === "en" ? "" : document.documentElement.lang + "/";

  function ownLanguage(doc) {
    var location = doc.location || "";
    if (prefix) return location.indexOf(prefix) === 0;
    return !/^[a-z]{2}(-[A-Za-z]+)?\//.test(location);
  }

  function whenUsed() {
    return new Promise(function (resolve) {
      function go() {
        document.removeEventListener("focusin", onFocus, true);
        document.removeEventListener("change", onToggle, true);
        resolve();
      }
      function onFocus(event) { if (event.target && event.target.matches && event.target.matches("input[data-md-component=search-query]")) go(); }
      function onToggle(event) { if (event.target && event.target.id === "__search" && event.target.checked) go(); }
      document.addEventListener("focusin", onFocus, true);
      document.addEventListener("change", onToggle, true);
    });
  }

  // Material asks for the index with XMLHttpRequest (responseType "blob") and reads `status` and `response` on "load".
  var open = XMLHttpRequest.prototype.open;
  var send = XMLHttpRequest.prototype.send;
  XMLHttpRequest.prototype.open = function (method, url) {
    this.rbIndexUrl = /\/search\/search_index\.json$/.test(String(url).split("?")[0]) ? String(url) : null;
    return open.apply(this, arguments);
  };
  XMLHttpRequest.prototype.send = function () {
    if (!this.rbIndexUrl) return send.apply(this, arguments);
    var request = this;
    whenUsed().then(function () { return fetch(request.rbIndexUrl); }).then(function (response) {
      if (!response.ok) throw new Error(response.statusText);
      return response.json();
    }).then(function (index) {
      index.docs = (index.docs || []).filter(ownLanguage);
      var blob = new Blob([JSON.stringify(index)], { type: "application/json" });
      Object.defineProperty(request, "status", { value: 200 });
      Object.defineProperty(request, "response", { value: blob });
      request.dispatchEvent(new ProgressEvent("load"));
    }).catch(function () {
      request.dispatchEvent(new ProgressEvent("error"));
    });
  };
})();
