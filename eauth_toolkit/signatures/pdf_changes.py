"""What changed in a PDF after a signature, object by object, the way the EU's DSS reports it.

Every revision after the signed one is compared with the revision before it: each object the
revision writes is sorted into a category (:class:`~.models.ChangeCategory`) by the role it plays
in the new revision (signature value, DSS entry, form field, widget or other annotation, page,
content stream or page resource, document catalog, ...), with the page it is on. Each change is
then judged against the signature's permissions:

- DSS/VRI updates and document time stamps are always allowed (PAdES long-term data);
- a certification signature's DocMDP level: 1 nothing else, 2 form filling and signing, 3 also
  annotations; an approval signature without DocMDP allows those three as well;
- a form field locked by the signature's FieldMDP may not be filled;
- pages added or removed, content streams or page resources changed, and anything not
  understood are never allowed. An annotation whose appearance paints an opaque area over the
  page (it can hide signed content) counts as a visual change.

Allowed changes become warnings, the others fail the signature.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Any

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.misc import PdfStrictReadError

from eauth_toolkit.signatures.models import Change, ChangeCategory
from eauth_toolkit.signatures.pdf_checks import is_doc_timestamp

__all__ = ["analyse_changes", "fully_classified", "judge"]

log = logging.getLogger("eauth_toolkit.signatures")

C = ChangeCategory
_ALWAYS = {C.DSS_UPDATE, C.TIMESTAMP_ADDED}
_FORM = {C.FORM_FILL, C.SIGNATURE_ADDED}
_ANNOTS = {C.ANNOTATION_ADDED, C.ANNOTATION_CHANGED, C.ANNOTATION_REMOVED}
_PAINTS = re.compile(rb"(^|\s)(f\*?|F|B\*?|b\*?|Do|sh)(\s|$)")


@dataclass
class _Role:
    kind: str
    page: int | None = None
    owner: Any = None
    name: str | None = None


@dataclass
class _Index:
    roles: dict[tuple[int, int], _Role] = field(default_factory=dict)
    pages: list[tuple[int, int]] = field(default_factory=list)

    def put(self, ref: Any, role: _Role) -> None:
        if isinstance(ref, generic.IndirectObject | generic.Reference):
            key = (ref.idnum, ref.generation)
            self.roles.setdefault(key, role)


def _get(d: Any, key: str) -> Any:
    """``d[key]`` resolved (an indirect array or dictionary is followed), None when absent."""
    try:
        if d is None:
            return None
        d = d.get_object()
        return d[key] if key in d else None
    except Exception:
        return None


def _raw(d: Any, key: str) -> Any:
    try:
        return d.get_object().raw_get(key)
    except Exception:
        return None


def _index(resolver: Any) -> _Index:
    idx = _Index()
    root_ref = resolver.root_ref
    idx.put(root_ref, _Role("root"))
    root = resolver.root
    trailer_info = _raw(resolver.trailer_view, "/Info")
    idx.put(trailer_info, _Role("info"))
    idx.put(_raw(root, "/Metadata"), _Role("metadata"))
    # DSS and everything in it
    dss_ref = _raw(root, "/DSS")
    idx.put(dss_ref, _Role("dss"))
    dss = _get(root, "/DSS")
    if dss is not None:
        for name in ("/Certs", "/OCSPs", "/CRLs"):
            idx.put(_raw(dss, name), _Role("dss"))
            for item in _get(dss, name) or []:
                idx.put(item, _Role("dss"))
        vri_ref = _raw(dss, "/VRI")
        idx.put(vri_ref, _Role("dss"))
        for _, entry in (_get(dss, "/VRI") or {}).items():
            idx.put(entry, _Role("dss"))
            e = entry.get_object() if hasattr(entry, "get_object") else entry
            if isinstance(e, generic.DictionaryObject):
                for name in ("/Cert", "/OCSP", "/CRL", "/TS"):
                    if name not in e:
                        continue
                    idx.put(e.raw_get(name), _Role("dss"))
                    value = e.get(name)
                    if isinstance(value, generic.ArrayObject):
                        for item in value:
                            idx.put(item, _Role("dss"))
    # the form: fields (with their widgets) and signature values
    acro = _get(root, "/AcroForm")
    idx.put(_raw(root, "/AcroForm"), _Role("acroform"))
    if acro is not None:
        idx.put(_raw(acro, "/Fields"), _Role("acroform"))
        idx.put(_raw(acro, "/DR"), _Role("acroform"))
        todo = [(f, "") for f in (_get(acro, "/Fields") or [])]
        while todo:
            fref, prefix = todo.pop()
            f = fref.get_object()
            name = prefix + str(f.get("/T", ""))
            idx.put(fref, _Role("field", owner=fref, name=name))
            v = f.raw_get("/V") if "/V" in f else None
            if str(f.get("/FT", "")) == "/Sig" and v is not None:
                idx.put(v, _Role("sig", owner=fref, name=name))
            elif v is not None:
                idx.put(v, _Role("field", owner=fref, name=name))
            _index_appearance(idx, f, None, fref)
            todo.extend((k, name + ".") for k in (f.get("/Kids") or []))
    # pages, their content, resources and annotations
    stack = [(_raw(root, "/Pages"), 0)]
    seen: set[tuple[int, int]] = set()
    while stack:
        ref, depth = stack.pop()
        if not isinstance(ref, generic.IndirectObject) or depth > 64:
            continue
        key = (ref.idnum, ref.generation)
        if key in seen:
            continue
        seen.add(key)
        node = ref.get_object()
        if str(node.get("/Type", "")) == "/Pages" or "/Kids" in node:
            idx.put(ref, _Role("pages"))
            idx.put(node.raw_get("/Kids") if "/Kids" in node else None, _Role("pages"))
            kids = list(node.get("/Kids") or [])
            stack.extend((k, depth + 1) for k in reversed(kids))
            continue
        idx.pages.append(key)
        page_no = len(idx.pages)
        idx.put(ref, _Role("page", page_no))
        contents = node.raw_get("/Contents") if "/Contents" in node else None
        idx.put(contents, _Role("content", page_no))
        c = node.get("/Contents")
        if isinstance(c, generic.ArrayObject):
            for s in c:
                idx.put(s, _Role("content", page_no))
        _index_resources(idx, node, page_no, 0)
        annots = node.raw_get("/Annots") if "/Annots" in node else None
        idx.put(annots, _Role("annots", page_no))
        for a in node.get("/Annots") or []:
            a_obj = a.get_object()
            kind = "widget" if str(a_obj.get("/Subtype", "")) == "/Widget" else "annot"
            idx.put(a, _Role(kind, page_no, owner=a))
            _index_appearance(idx, a_obj, page_no, a)
    return idx


def _index_of(reader: Any, rev: int) -> _Index:
    """The index of revision ``rev``, built once per reader (each revision is the newer side of
    one comparison and the older side of the next)."""
    cache: dict[int, _Index] = reader.__dict__.setdefault("_eauth_revision_index", {})
    if rev not in cache:
        cache[rev] = _index(reader.get_historical_resolver(rev))
    return cache[rev]


def _index_resources(idx: _Index, holder: Any, page: int, depth: int) -> None:
    if depth > 4:
        return
    res_ref = holder.raw_get("/Resources") if "/Resources" in holder else None
    idx.put(res_ref, _Role("resources", page))
    res = holder.get("/Resources")
    if not isinstance(res, generic.DictionaryObject):
        return
    for cat in res.values():
        cat_obj = cat.get_object() if hasattr(cat, "get_object") else cat
        idx.put(cat, _Role("resources", page))
        if isinstance(cat_obj, generic.DictionaryObject):
            for item in cat_obj.values():
                idx.put(item, _Role("resource", page))
                obj = item.get_object() if hasattr(item, "get_object") else item
                if isinstance(obj, generic.StreamObject):
                    _index_resources(idx, obj, page, depth + 1)


def _index_appearance(idx: _Index, annot: Any, page: int | None, owner: Any) -> None:
    ap = annot.get("/AP")
    if not isinstance(ap, generic.DictionaryObject):
        return
    idx.put(annot.raw_get("/AP"), _Role("ap", page, owner=owner))
    for state in ap.values():
        idx.put(state, _Role("ap", page, owner=owner))
        s = state.get_object() if hasattr(state, "get_object") else state
        if isinstance(s, generic.DictionaryObject) and not isinstance(s, generic.StreamObject):
            for sub in s.values():
                idx.put(sub, _Role("ap", page, owner=owner))


def _paints(annot: Any) -> bool:
    """Whether an annotation's normal appearance paints filled areas or images."""
    try:
        n = annot.get("/AP", {}).get("/N")
        n = n.get_object() if hasattr(n, "get_object") else n
        if isinstance(n, generic.StreamObject):
            return bool(_PAINTS.search(n.data))
    except Exception:
        return True
    return False


def _key(ref: Any) -> tuple[int, int]:
    return (ref.idnum, ref.generation)


def _compare_dicts(old: Any, new: Any) -> set[str]:
    """Keys whose raw values differ between two versions of a dictionary."""
    try:
        keys = set(old.keys()) | set(new.keys())
        out = set()
        for k in keys:
            a = old.raw_get(k) if k in old else None
            b = new.raw_get(k) if k in new else None
            if repr(a) != repr(b):
                out.add(str(k))
        return out
    except Exception:
        return {"?"}


def _revision_changes(reader: Any, rev: int) -> list[Change]:
    old_r = reader.get_historical_resolver(rev - 1)
    new_r = reader.get_historical_resolver(rev)
    old_i, new_i = _index_of(reader, rev - 1), _index_of(reader, rev)
    changes: list[Change] = []

    def add(cat: ChangeCategory, desc: str, page: int | None = None, allowed: bool = True) -> None:
        changes.append(Change(category=cat, page=page, description=desc, allowed=allowed))

    # pages added or removed
    old_pages, new_pages = set(old_i.pages), set(new_i.pages)
    for n, key in enumerate(new_i.pages, 1):
        if key not in old_pages:
            add(C.PAGE_ADDED, f"page {n} was added", n)
    for n, key in enumerate(old_i.pages, 1):
        if key not in new_pages:
            add(C.PAGE_REMOVED, f"page {n} was removed", n)
    if not changes and old_i.pages != new_i.pages:
        add(C.OTHER, "the pages were put in another order", allowed=False)
    refs = reader.xrefs.explicit_refs_in_revision(rev)
    for ref in sorted(refs, key=lambda r: (r.idnum, r.generation)):
        key = _key(ref)
        _read_strictly(new_r, ref)
        new_role = new_i.roles.get(key)
        old_role = old_i.roles.get(key)
        existed = old_role is not None or _existed(old_r, ref)
        if new_role is None:
            if existed and old_role is not None and old_role.kind in ("annot", "widget"):
                continue  # a removed annotation is reported from its page
            if existed and old_role is not None:
                add(C.OTHER, f"object {key[0]} was changed and is no longer used", allowed=True)
            elif existed and _existed(new_r, ref):
                # rewritten, but reached by a path this analysis does not follow
                add(C.OTHER, f"object {key[0]} was changed; {_UNPLACED}", allowed=True)
            # a new object nothing refers to, or a freed one: nothing shows it
            continue
        kind, page = new_role.kind, new_role.page
        if kind == "dss":
            if not any(c.category == C.DSS_UPDATE for c in changes):
                add(C.DSS_UPDATE, "validation data (DSS/VRI) added or refreshed")
        elif kind == "sig":
            sig = _deref(new_r, ref)
            ts = is_doc_timestamp(sig)
            if existed:
                add(
                    C.OTHER,
                    f"the value of signature '{new_role.name}' was rewritten",
                    allowed=False,
                )
            elif ts:
                add(C.TIMESTAMP_ADDED, f"document time stamp '{new_role.name}' added")
            else:
                add(C.SIGNATURE_ADDED, f"signature '{new_role.name}' added")
        elif kind == "field":
            f = _deref(new_r, new_role.owner)
            is_sig = str(f.get("/FT", "")) == "/Sig" if f is not None else False
            if is_sig:
                continue  # reported through its value
            old_f = _deref(old_r, new_role.owner) if existed else None
            if (
                old_f is not None
                and "/V" not in _compare_dicts(old_f, f)
                and key == _key(new_role.owner)
            ):
                diff = _compare_dicts(old_f, f)
                if diff - {"/AP", "/AS", "/Kids"}:
                    add(
                        C.OTHER,
                        f"field '{new_role.name}' changed ({', '.join(sorted(diff))})",
                        allowed=False,
                    )
                continue
            add(C.FORM_FILL, f"form field '{new_role.name}' filled in", page)
        elif kind in ("widget", "ap"):
            owner = _deref(new_r, new_role.owner)
            if owner is not None and str(owner.get("/Subtype", "")) not in ("", "/Widget"):
                cat = C.ANNOTATION_CHANGED if existed or kind == "ap" else C.ANNOTATION_ADDED
                if kind == "ap" and not _existed(old_r, new_role.owner):
                    continue  # the appearance of a new annotation: reported with it
                add(cat, "annotation appearance changed", page)
                continue
            field_ = owner
            if field_ is not None and str(field_.get("/FT", "")) == "/Sig":
                continue  # a signature's widget or appearance: part of adding the signature
            if existed or kind == "ap":
                add(C.FORM_FILL, "a form field's appearance was updated", page)
        elif kind == "annot":
            a = _deref(new_r, ref)
            if a is not None and _paints(a):
                add(C.VISUAL_CONTENT,
                    f"annotation ({a.get('/Subtype')}) {'changed' if existed else 'added'} that paints over the page (it can hide signed content)",
                    page, allowed=False)  # fmt: skip
            elif existed:
                add(C.ANNOTATION_CHANGED, f"annotation ({_sub(a)}) changed", page)
            else:
                add(C.ANNOTATION_ADDED, f"annotation ({_sub(a)}) added", page)
        elif kind == "annots":
            _annots_removed(old_r, new_r, ref, page, add)
        elif kind == "page":
            if not existed:
                continue  # reported as a page added
            diff = _compare_dicts(_deref(old_r, ref), _deref(new_r, ref))
            if "/Annots" in diff:
                _annots_removed(old_r, new_r, ref, page, add)
            if "/Contents" in diff:
                add(
                    C.VISUAL_CONTENT,
                    f"the content of page {page} was replaced",
                    page,
                    allowed=False,
                )
            if "/Resources" in diff:
                _resources_changed(old_r, new_r, ref, page, add)
            rest = diff - {"/Annots", "/Contents", "/Resources"}
            if rest:
                add(
                    C.VISUAL_CONTENT,
                    f"page {page} changed ({', '.join(sorted(rest))})",
                    page,
                    allowed=False,
                )
        elif kind in ("content", "resource"):
            if existed:
                what = "a content stream" if kind == "content" else "a resource (font, image, form)"
                add(C.VISUAL_CONTENT, f"{what} of page {page} was changed", page, allowed=False)
        elif kind == "resources":
            if existed:
                _resources_changed(old_r, new_r, ref, page, add, direct=True)
        elif kind == "pages":
            continue  # page tree updates are reported as pages added/removed/reordered
        elif kind == "root":
            diff = _compare_dicts(_deref(old_r, ref), _deref(new_r, ref))
            rest = diff - {"/DSS", "/AcroForm", "/Extensions", "/Metadata", "/Perms"}
            if "/Metadata" in diff:
                add(C.OTHER, "document metadata updated")
            if rest:
                add(C.OTHER, f"document catalog changed ({', '.join(sorted(rest))})", allowed=False)
        elif kind == "acroform":
            if existed and key == _key(_raw(new_r.root, "/AcroForm") or ref):
                diff = _compare_dicts(_deref(old_r, ref), _deref(new_r, ref))
                rest = diff - {"/Fields", "/DR", "/NeedAppearances", "/SigFlags", "/DA"}
                if rest:
                    add(
                        C.OTHER,
                        f"form dictionary changed ({', '.join(sorted(rest))})",
                        allowed=False,
                    )
        elif kind in ("info", "metadata"):
            add(C.OTHER, "document information updated")
    return changes


def _sub(a: Any) -> str:
    try:
        return str(a.get("/Subtype", "?")).lstrip("/")
    except Exception:
        return "?"


def _deref(resolver: Any, ref: Any) -> Any:
    try:
        return resolver(getattr(ref, "reference", ref))
    except Exception:
        return None


def _read_strictly(resolver: Any, ref: Any) -> None:
    """Parse an object the revision writes, so that a strict reader's objection to it (a
    duplicated key, say) surfaces and the file is read again leniently, with a note."""
    try:
        resolver(getattr(ref, "reference", ref))
    except PdfStrictReadError:
        raise
    except Exception:
        return


def _existed(resolver: Any, ref: Any) -> bool:
    try:
        return not isinstance(resolver(getattr(ref, "reference", ref)), generic.NullObject)
    except Exception:
        return False


def _annots_removed(old_r: Any, new_r: Any, ref: Any, page: int | None, add: Any) -> None:
    def refs(resolver: Any) -> set[tuple[int, int]]:
        try:
            obj = _deref(resolver, ref)
            arr = obj.get("/Annots") if isinstance(obj, generic.DictionaryObject) else obj
            return {_key(a) for a in (arr or []) if isinstance(a, generic.IndirectObject)}
        except Exception:
            return set()

    for _ in refs(old_r) - refs(new_r):
        add(C.ANNOTATION_REMOVED, f"an annotation was removed from page {page}", page)


def _resources_changed(
    old_r: Any, new_r: Any, ref: Any, page: int | None, add: Any, direct: bool = False
) -> None:
    """Resources only extended (new names; nothing drawn uses them unless content changes)
    are allowed; a name that now means something else is a visual change."""
    try:
        old = _deref(old_r, ref)
        new = _deref(new_r, ref)
        if not direct:
            old, new = old.get("/Resources"), new.get("/Resources")
        for cat in set(old.keys()) & set(new.keys()):
            a, b = old[cat], new[cat]
            if isinstance(a, generic.DictionaryObject) and isinstance(b, generic.DictionaryObject):
                for name in a.keys():
                    if name not in b or repr(a.raw_get(name)) != repr(b.raw_get(name)):
                        add(C.VISUAL_CONTENT, f"page resource {cat}{name} was redefined",
                            page, allowed=False)  # fmt: skip
                        return
            elif repr(old.raw_get(cat)) != repr(new.raw_get(cat)):
                add(C.VISUAL_CONTENT, f"page resources {cat} replaced", page, allowed=False)
                return
        add(C.OTHER, f"page {page} resources extended (nothing drawn changes)", page)
    except Exception:
        add(C.VISUAL_CONTENT, f"page {page} resources changed", page, allowed=False)


def analyse_changes(reader: Any, signed_revision: int) -> list[Change]:
    """Every change in the revisions after ``signed_revision`` (not yet judged)."""
    out: list[Change] = []
    # each revision is compared once per reader, however many signatures come before it
    cache: dict[int, list[Change]] = reader.__dict__.setdefault("_eauth_revision_changes", {})
    for rev in range(signed_revision + 1, reader.xrefs.total_revisions):
        try:
            if rev not in cache:
                cache[rev] = _revision_changes(reader, rev)
            out.extend(cache[rev])
        except PdfStrictReadError:
            raise
        except Exception as exc:
            log.debug("revision %d could not be compared", rev, exc_info=exc)
            out.append(
                Change(
                    category=C.OTHER,
                    description=f"revision {rev + 1} {_UNCOMPARED}",
                    allowed=False,
                )
            )
    return out


_UNCOMPARED = "could not be compared with the one before"
_UNPLACED = "its place in the document is not known"


def fully_classified(changes: list[Change] | None) -> bool:
    """Whether every change after a signature was sorted into a category (no revision that
    could not be compared)."""
    return changes is not None and not any(
        _UNCOMPARED in c.description or _UNPLACED in c.description for c in changes
    )


def judge(changes: list[Change], docmdp: int | None, locked: Any = None) -> list[Change]:
    """Mark each change allowed or not for a signature with DocMDP level ``docmdp`` (None: an
    approval signature) and FieldMDP ``locked`` (a callable: is this field name locked)."""
    permitted = set(_ALWAYS)
    if docmdp is None or docmdp >= 2:
        permitted |= _FORM
    if docmdp is None or docmdp >= 3:
        permitted |= _ANNOTS
    out = []
    for ch in changes:
        ok = ch.allowed and (ch.category in permitted or ch.category == C.OTHER)
        if ok and ch.category == C.FORM_FILL and locked is not None:
            m = re.search(r"field '([^']+)'", ch.description)
            if m and locked(m.group(1)):
                ok = False
        if ok and ch.category == C.OTHER and docmdp == 1:
            ok = False
        out.append(ch.model_copy(update={"allowed": ok}) if ok != ch.allowed else ch)
    return out
