;;; emacs.el --- Drives Emacs in batch mode with a README snippet (WL_SNIPPET), verbatim -*- lexical-binding: t -*-
;; WL_MODE is `eglot' (the snippet registers `worker-lint server' with eglot, shown through flymake) or
;; `flycheck' (the snippet defines a flycheck checker over `worker-lint check').  Opens WL_FILE, waits for
;; three diagnostics and writes them to WL_OUT, one a line: "diagnostic LINE:COL-LINE:COL SEVERITY TEXT"
;; with 1-based lines and 0-based columns, as Emacs counts them.
(require 'yaml-mode)
(load (getenv "WL_SNIPPET") nil t)
(find-file (getenv "WL_FILE"))
(yaml-mode)

(defun wl-position (pos)
  (save-excursion (goto-char pos) (format "%d:%d" (line-number-at-pos) (current-column))))

(defun wl-wait (found poke)
  "Wait up to 30 s for FOUND to return three diagnostics, calling POKE each second (batch Emacs has no idle time)."
  (let ((deadline (+ (float-time) 30)) (next 0))
    (while (and (< (float-time) deadline) (< (length (funcall found)) 3))
      (when (> (float-time) next)
        (funcall poke)
        (setq next (+ (float-time) 1)))
      (accept-process-output nil 0.05))
    (funcall found)))

(defun wl-write (lines)
  (with-temp-file (getenv "WL_OUT") (dolist (line lines) (insert line "\n"))))

(pcase (getenv "WL_MODE")
  ("eglot"
   (require 'eglot)
   (apply #'eglot (eglot--guess-contact))
   (let ((found (wl-wait #'flymake-diagnostics (lambda () (flymake-start nil t)))))
     (wl-write
      (mapcar (lambda (d)
                (format "diagnostic %s-%s %s %s" (wl-position (flymake-diagnostic-beg d))
                        (wl-position (flymake-diagnostic-end d)) (flymake-diagnostic-type d)
                        (flymake-diagnostic-text d)))
              (sort found (lambda (a b) (< (flymake-diagnostic-beg a) (flymake-diagnostic-beg b)))))))
   (eglot-shutdown (eglot-current-server)))
  ("flycheck"
   (require 'flycheck)
   (flycheck-mode 1)
   (let ((found (wl-wait (lambda () flycheck-current-errors) #'flycheck-buffer)))
     (wl-write
      (mapcar (lambda (e)
                (format "diagnostic %d:%d %s %s %s" (flycheck-error-line e) (or (flycheck-error-column e) 0)
                        (flycheck-error-level e) (flycheck-error-id e) (flycheck-error-message e)))
              found)))))
(kill-emacs 0)
