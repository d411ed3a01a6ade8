"""/admin/prompts (editors and admins): every prompt in one language with its number,
its text and the English beside it, where its audio comes from (recording, an engine,
missing, stale), its length and a player; coverage per language; upload a recording
for a prompt, or undo the last one. A refused file changes nothing and says why.
Each prompt also has its own page (/admin/prompts/<lang>/<name>): the same, its
recordings so far, and recording in the browser (static/recorder.js), whose take is
sent through the very form and checks of an upload.

A prompt's number is its place in the registry's order (registry.numbers), the same
the phone and `ivr audio coverage` use; the page lists prompts by it, so the welcome
and the menus come before the country names.
"""
from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.exceptions import NotFound, RequestEntityTooLarge

from ..content import registry
from ..services import of as services_of
from ..store import db
from ..web import allow_blob_media
from . import recordings
from .forms import ActionForm
from .web import UPLOAD_BYTES, refuse_with_pages, requires

bp = Blueprint("prompts", __name__, url_prefix="/admin/prompts")
SHOWN = ("all", "missing", "stale")


def _path(item_id):
    """A prompt's name in its page's URL: "main_menu", "country_name|country=NL"."""
    return item_id.split("|", 1)[1].rstrip("|")


def _rows(line, lang, session):
    """Every prompt of `lang` by number: what the page shows of each."""
    numbers = registry.numbers(line.content)
    items = [i for i in registry.items(line.content) if i.lang in (lang, "en")]
    english = {i.id.split("|", 1)[1]: i.text for i in items if i.lang == "en"}
    recorded = recordings.all_current(session, lang)
    manifest = line.manifest
    rows = []
    for item in (i for i in items if i.lang == lang):
        name = item.id.split("|", 1)[1]
        entry = manifest.entries.get(item.id) if manifest is not None else None
        playing = manifest is not None and item.id in manifest.current
        recording = recorded.get(item.id)
        stale = recording is not None and recordings.is_stale(recording, item)
        source = ("stale" if stale else "recording") if recording is not None else (
            entry["engine"] if playing else "missing")
        rows.append({"number": numbers.get(name, 0), "id": item.id, "name": name, "path": _path(item.id),
                     "text": item.text, "english": english.get(name, ""), "source": source,
                     "seconds": entry.get("seconds") if playing else None,
                     "key": entry["key"] if playing else None, "recording": recording})
    return sorted(rows, key=lambda row: row["number"])


def _coverage(line):
    manifest = line.manifest
    if manifest is None:
        return []
    return [{"lang": lang, "planned": manifest.planned_counts.get(lang, 0),
             "missing": len(manifest.missing.get(lang, []))} for lang in line.content.catalogues]


def _prompt_page(item, errors=(), status=200):
    """One prompt's page: its row of the list, its recordings so far, the recorder."""
    session = db.request_session()
    row = next(r for r in _rows(services_of(current_app), item.lang, session) if r["id"] == item.id)
    allow_blob_media()  # the recorder previews a take from a blob: URL
    return render_template("admin/prompt.html", row=row, lang=item.lang, errors=list(errors),
                           history=recordings.history(session, item.id), stale=recordings.is_stale,
                           item=item, max_mb=recordings.MAX_BYTES // 1048576,
                           max_seconds=recordings.MAX_SECONDS), status


def _page(lang, shown="all", errors=(), status=200):
    line = services_of(current_app)
    if lang not in line.content.catalogues:
        abort(404, description=f"There is no language {lang!r}.")
    rows = _rows(line, lang, db.request_session())
    if shown != "all":
        rows = [row for row in rows if row["source"] == shown]
    return render_template("admin/prompts.html", rows=rows, lang=lang, shown=shown, shows=SHOWN,
                           languages=list(line.content.catalogues), coverage=_coverage(line),
                           errors=list(errors), max_mb=recordings.MAX_BYTES // 1048576,
                           max_seconds=recordings.MAX_SECONDS), status


@bp.route("", methods=["GET"])
@requires("recordings")
def page():
    line = services_of(current_app)
    lang = request.args.get("lang") or next(iter(line.content.catalogues))
    shown = request.args.get("show", "all")
    if shown not in SHOWN:
        abort(400, description=f"show must be one of {', '.join(SHOWN)}.")
    return _page(lang, shown)


def _item(lang, name):
    """The item of a prompt in `lang`: "main_menu" or "main_menu|", "country_name|country=NL"."""
    name = name if "|" in name else name + "|"
    try:
        return recordings.find_item(services_of(current_app).content, f"{lang}|{name}")
    except recordings.RecordingError as exc:
        abort(404, description=str(exc))


@bp.route("/<lang>/<path:name>", methods=["GET"])
@requires("recordings")
def prompt(lang, name):
    return _prompt_page(_item(lang, name))


def _from_prompt_page():
    """A form on a prompt's own page (its action says ?back=prompt) goes back there."""
    return request.args.get("back") == "prompt"


def _refused(item, errors, status=400):
    """A refused upload or undo: the page its form was on, saying why."""
    if _from_prompt_page():
        return _prompt_page(item, errors, status)
    return _page(item.lang, errors=errors, status=status)


def _done(item, number=None):
    """After a change: back to the prompt's page, or to its row of the list."""
    if _from_prompt_page():
        return redirect(url_for("prompts.prompt", lang=item.lang, name=_path(item.id)))
    return redirect(url_for("prompts.page", lang=item.lang, _anchor=f"p{number}" if number else None))


def _put_on_line(item, recording):
    line = services_of(current_app)
    recordings.put_on_line(line.store, item, recording, current_app.config["STALE_RECORDINGS"])
    if line.manifest is not None:
        line.manifest.refresh(force=True)  # this worker at once; the others within seconds


@bp.route("/<lang>/<path:name>/record", methods=["POST"])
@requires("recordings")
def record(lang, name):
    upload = request.files.get("audio")  # (the limit: web._upload_limit; too large: too_large below)
    if not ActionForm().validate():
        abort(400, description="The form was incomplete.")
    item = _item(lang, name)
    if upload is None or not upload.filename:
        return _refused(item, ["Choose an audio file to upload."])
    session = db.request_session()
    try:
        recording = recordings.add(session, item, upload.read(UPLOAD_BYTES), actor=current_user.name)
    except recordings.RecordingError as exc:
        session.rollback()
        return _refused(item, [f"{item.id}: {exc}. Nothing was changed."])
    session.commit()
    _put_on_line(item, recording)
    return _done(item, registry.numbers(services_of(current_app).content).get(item.id.split("|", 1)[1], 0))


@bp.route("/<lang>/<path:name>/undo", methods=["POST"])
@requires("recordings")
def undo(lang, name):
    if not ActionForm().validate():
        abort(400, description="The form was incomplete.")
    item = _item(lang, name)
    session = db.request_session()
    try:
        recording = recordings.undo(session, item.id, actor=current_user.name)
    except recordings.RecordingError as exc:
        session.rollback()
        return _refused(item, [str(exc)])
    session.commit()
    _put_on_line(item, recording)
    return _done(item)


refuse_with_pages(bp)


@bp.errorhandler(RequestEntityTooLarge)
def too_large(error):
    lang = request.view_args.get("lang", "") if request.view_args else ""
    message = f"The file is too large: at most {recordings.MAX_BYTES // 1048576} MB. Nothing was changed."
    if lang in services_of(current_app).content.catalogues:
        try:
            return _refused(_item(lang, request.view_args["name"]), [message], 413)
        except NotFound:
            return _page(lang, errors=[message], status=413)
    return render_template("admin/message.html", title="Too large", message=message), 413
