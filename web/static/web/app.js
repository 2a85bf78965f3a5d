/* Chirp's pages with JavaScript: what htmx does not do by itself.
 * Every page works without this file (forms post and redirect back); with it, answers
 * update in place, focus stays where the person was, and the compose form gets one
 * description box per chosen image. No inline script anywhere (Content-Security-Policy). */
(function () {
  "use strict";

  var MAX_CHARS = 280;
  var MAX_IMAGES = 4;

  function toast(text) {
    var box = document.getElementById("toast");
    if (!box) return;
    box.textContent = "";
    // A fresh node, so screen readers announce the same words twice too.
    window.setTimeout(function () {
      var line = document.createElement("p");
      line.textContent = text;
      box.appendChild(line);
    }, 30);
    window.clearTimeout(toast.timer);
    toast.timer = window.setTimeout(function () { box.textContent = ""; }, 6000);
  }

  function csrfToken() {
    var input = document.querySelector('input[name="csrfmiddlewaretoken"]');
    return input ? input.value : "";
  }

  // --- characters left ---------------------------------------------------------------

  function updateCounter(textarea) {
    var form = textarea.form;
    var counter = form && form.querySelector(".counter");
    if (!counter) return;
    var left = MAX_CHARS - Array.from(textarea.value.trim()).length;
    counter.textContent = left <= 40 ? String(left) : "";
    counter.classList.toggle("over", left < 0);
    counter.classList.toggle("near", left >= 0 && left <= 20);
  }

  function grow(textarea) {
    if (!textarea.closest("form[data-compose]")) return;
    textarea.style.height = "auto";
    textarea.style.height = textarea.scrollHeight + "px";
  }

  document.addEventListener("input", function (event) {
    var target = event.target;
    if (target instanceof HTMLTextAreaElement && target.hasAttribute("data-counter")) {
      updateCounter(target);
      grow(target);
    }
  });

  // --- images on the compose form ------------------------------------------------------

  function chosenFiles(input) {
    return Array.from(input.files || []).filter(function (file) { return file.type.indexOf("image/") === 0; });
  }

  function setFiles(input, files) {
    var transfer = new DataTransfer();
    files.forEach(function (file) { transfer.items.add(file); });
    input.files = transfer.files;
  }

  function showChosen(input) {
    var form = input.form;
    var list = form.querySelector("[data-chosen]");
    if (!list) return;
    var files = chosenFiles(input);
    if (files.length > MAX_IMAGES) {
      files = files.slice(0, MAX_IMAGES);
      setFiles(input, files);
      toast("You can add up to " + MAX_IMAGES + " images; the first " + MAX_IMAGES + " were kept.");
    }
    var previous = Array.from(list.querySelectorAll("input[name=description]")).map(function (box) { return box.value; });
    list.querySelectorAll("img").forEach(function (img) { URL.revokeObjectURL(img.src); });
    list.textContent = "";
    files.forEach(function (file, index) {
      var item = document.createElement("div");
      item.className = "chosen-item";
      var img = document.createElement("img");
      img.src = URL.createObjectURL(file);
      img.alt = "";
      var field = document.createElement("div");
      var id = "image-description-" + index;
      var label = document.createElement("label");
      label.htmlFor = id;
      label.textContent = "Image description";
      var box = document.createElement("input");
      box.type = "text";
      box.name = "description";
      box.id = id;
      box.maxLength = 1500;
      box.value = previous[index] || "";
      box.setAttribute("aria-describedby", id + "-file");
      var name = document.createElement("p");
      name.className = "file-name";
      name.id = id + "-file";
      name.textContent = file.name;
      field.append(label, box, name);
      var remove = document.createElement("button");
      remove.type = "button";
      remove.className = "remove";
      remove.textContent = "Remove";
      remove.setAttribute("aria-label", "Remove " + file.name);
      remove.addEventListener("click", function () {
        setFiles(input, chosenFiles(input).filter(function (_f, i) { return i !== index; }));
        showChosen(input);
        input.focus();
      });
      item.append(img, field, remove);
      list.appendChild(item);
    });
    list.hidden = files.length === 0;
  }

  function enhanceCompose(root) {
    root.querySelectorAll("form[data-compose]").forEach(function (form) {
      if (form.dataset.enhanced) return;
      form.dataset.enhanced = "1";
      // One description box per chosen image replaces the four fixed ones.
      var fixed = form.querySelector("[data-descriptions]");
      if (fixed) fixed.remove();
      var input = form.querySelector("input[data-images]");
      if (input) input.addEventListener("change", function () { showChosen(input); });
    });
  }

  function resetCompose(form) {
    form.reset();
    form.querySelectorAll("textarea").forEach(grow);
    var list = form.querySelector("[data-chosen]");
    if (list) {
      list.querySelectorAll("img").forEach(function (img) { URL.revokeObjectURL(img.src); });
      list.textContent = "";
      list.hidden = true;
    }
    form.querySelectorAll("textarea[data-counter]").forEach(updateCounter);
  }

  // --- htmx: where an answer goes, and where focus goes after it -------------------------

  document.addEventListener("htmx:configRequest", function (event) {
    var elt = event.detail.elt;
    // "Load more" in the home timeline: the offset is how many entries are shown now,
    // since live posts and one's own may have been put on top meanwhile.
    if (elt.hasAttribute("data-more") && elt.closest("#timeline")) {
      var url = new URL(event.detail.path, window.location.origin);
      url.searchParams.set("offset", String(elt.closest("#timeline").querySelectorAll(":scope > article.post").length));
      event.detail.path = url.pathname + url.search;
    }
  });

  function nextArticle(node) {
    while (node && !(node.matches && node.matches("article.post"))) node = node.nextElementSibling;
    return node;
  }

  // Focus after a swap: on the same button in the new buttons, on the first post a "Load
  // more" brought, on the next post after a deletion. Done once the swap is over (htmx
  // swaps right after this event; a deletion swaps in nothing and fires no afterSwap).
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (!event.detail.shouldSwap) return;
    var target = event.detail.target;
    var active = document.activeElement;
    var k = {
      parent: target.parentElement,
      before: target.previousElementSibling,
      after: target.nextElementSibling,
      action: active && target.contains(active) && active.dataset ? active.dataset.action : null,
      more: target.hasAttribute("data-more"),
      deleting: target.matches("article.post") && event.detail.xhr.responseText.trim() === "",
    };
    window.setTimeout(function () {
      if (!k.parent) return;
      if (k.deleting) {
        var following = null;
        if (k.after && k.after.classList.contains("reply-slot")) {
          following = nextArticle(k.after.nextElementSibling);
          k.after.remove();
        }
        if (following) following.focus();
        else document.getElementById("main").focus();
        toast("Deleted.");
      } else if (k.action) {
        var again = k.parent.querySelector('[data-action="' + k.action + '"]');
        if (again) again.focus();
      } else if (k.more) {
        var first = nextArticle(k.before ? k.before.nextElementSibling : k.parent.firstElementChild);
        if (first) first.focus();
      }
    }, 0);
  });

  document.addEventListener("htmx:afterSettle", function () {
    enhanceCompose(document);
  });

  function posted(event) {
    var id = event.detail && event.detail.id;
    return id ? document.querySelector('article.post[data-id="' + id + '"]') : null;
  }

  document.body.addEventListener("chirp:posted", function (event) {
    var form = document.querySelector("form[data-compose]");
    if (form) resetCompose(form);
    var fresh = posted(event);
    if (fresh) {
      fresh.classList.add("fresh");
      window.setTimeout(function () { fresh.classList.remove("fresh"); }, 2000);
    }
    toast("Posted.");
  });

  document.body.addEventListener("chirp:replied", function (event) {
    document.querySelectorAll("form[data-reply-form]").forEach(function (form) {
      form.reset();
      form.querySelectorAll("textarea[data-counter]").forEach(updateCounter);
    });
    var none = document.querySelector("[data-no-replies]");
    if (none) none.remove();
    var reply = posted(event);
    if (reply && reply.closest(".reply-slot")) reply.focus();
    toast("Your reply was posted.");
  });

  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    var text = "";
    try {
      var doc = new DOMParser().parseFromString(xhr.responseText, "text/html");
      var problem = doc.querySelector(".problem, .problem-page");
      text = problem ? problem.textContent.trim().replace(/\s+/g, " ") : "";
    } catch (e) {
      text = "";
    }
    toast(text || "That did not work (" + xhr.status + "). Try again.");
  });

  document.addEventListener("htmx:sendError", function () {
    toast("Chirp could not be reached. Check your connection and try again.");
  });

  // The live stream's token, renewed when the stream has to reconnect (web/static/web/live.js).
  window.chirpFreshStreamToken = function () {
    return fetch("/live/token", {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken() },
    }).then(function (response) {
      if (!response.ok) throw new Error("token " + response.status);
      return response.json();
    });
  };

  enhanceCompose(document);
  document.querySelectorAll("textarea[data-counter]").forEach(updateCounter);
})();
