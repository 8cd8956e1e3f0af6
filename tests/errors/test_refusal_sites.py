"""Every place in srcad that refuses is in the table of refusals, so that each refusal's hint
is run (refusal_rows.py, test_suggestions.py).

A refusal site is a message srcad builds: a string passed to `Unsupported`, `SrcadError`,
`errors.at` and the other makers of refusals below, or any string with "cannot differentiate"
in it, read from srcad's source (and each entry of the tables of statements and expressions
normalize.py refuses). SITES maps each to one of:

- "row NAME": ROWS[NAME] in refusal_rows.py, code srcad refuses and the rewrite its hint says;
  its message must be this site's (of all sites, this one matches it best);
- "usage NAME": USAGE[NAME], a call of srcad it refuses and the call its hint says;
- "via ...": a message made elsewhere (a helper building messages listed as their own sites),
  or a part of one (the subject of another site's message);
- "unreachable ...": a check that earlier passes make redundant, with the reason;
- "not code ...": a refusal about the environment, not about the user's code or call;
- "uncovered ...": a refusal added since, not yet given a row (listed so that it is seen).

A new refusal makes test_every_refusal_site_is_listed fail until it is listed here, with a row.
"""
import ast
import functools
import pathlib
import re
import sys

import pytest

import srcad
from refusal_rows import ROWS, USAGE, USAGE_SOURCE
from helpers import load_function
from test_suggestions import refusal_of, skip_without_what_it_needs

SRCAD = pathlib.Path(srcad.__file__).parent

# the functions that make a refusal, and the position of the message among their arguments
MAKERS = {"Unsupported": 1, "SrcadError": 0, "at": 2, "error": 0, "_error": 0, "refusal": 0,
          "GraphvizMissing": 0, "complex_error": 3}


_DOCUMENTED = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)


def _text(node):
    """A string literal's text, an f-string's with `{}` for each value; None for anything else."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
    return None


def _maker(call):
    """The position of the message if `call` makes a refusal, else None (`np.add.at` is no
    `errors.at`, `structured.refusal` no tape refusal)."""
    func = call.func
    if isinstance(func, ast.Name):
        return MAKERS.get(func.id)
    if isinstance(func, ast.Attribute) and func.attr in MAKERS and func.attr not in ("at", "refusal"):
        return MAKERS[func.attr]
    if isinstance(func, ast.Attribute) and func.attr == "at" and ast.unparse(func.value) == "errors":
        return MAKERS["at"]
    return None


@functools.lru_cache(maxsize=None)
def refusal_sites():
    """{(file, message text)} of every refusal in srcad's source. Read once per run (srcad's
    source does not change during it): parsing every file takes about a second, and each row
    test compares its message with all of the sites."""
    found = set()
    for path in sorted(SRCAD.rglob("*.py")):
        rel = path.relative_to(SRCAD.parent).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skipped = {id(v) for n in ast.walk(tree) if isinstance(n, ast.JoinedStr) for v in n.values}
        skipped |= {id(n.body[0].value) for n in ast.walk(tree) if isinstance(n, _DOCUMENTED) and n.body
                    and isinstance(n.body[0], ast.Expr)}  # docstrings
        for node in ast.walk(tree):
            text = _text(node) if id(node) not in skipped else None
            if text and "cannot differentiate" in text:
                found.add((rel, text))
            if isinstance(node, ast.Call) and _maker(node) is not None and len(node.args) > _maker(node):
                message = node.args[_maker(node)]
                text = _text(message)
                found.add((rel, text if text is not None else "<" + ast.unparse(message) + ">"))
    from srcad import normalize
    for table in (normalize.REFUSED_STATEMENTS, normalize.REFUSED_EXPRESSIONS):
        found |= {("srcad/normalize.py", f"cannot differentiate {what}") for what, _ in table.values()}
    return frozenset(found)


def _listed():
    return {(path, text): cover for path, entries in SITES.items() for text, cover in entries.items()}


def _site_of(key, sites):
    """The site whose text starts with the listed `key` (texts are listed up to 64 characters)."""
    path, start = key
    return [s for s in sites if s[0] == path and (s[1] == start or len(start) >= 64 and s[1].startswith(start))]


SITES = {
    "srcad/__main__.py": {
        "{} raised {}: {}": "not code: the command line reporting the exception the function itself raised",
    },
    "srcad/api.py": {
        "backend={}: the backend is 'python' or 'numba'": "usage backend_unknown",
        "hessian takes one wrt argument": "usage hessian_of_two_arguments",
        "jacobian(mode={}): mode is 'reverse' or 'forward'": "usage jacobian_mode",
        "jvp of {} takes one tangent per wrt argument ({}) after the argu": "usage jvp_without_a_tangent",
        "source(mode={}): mode is 'reverse' or 'forward'": "usage source_mode",
        "source(of={}): of is 'vjp', 'value_and_grad' or 'grad'": "usage source_of",
        "vjp of a derivative srcad made is not supported": "usage vjp_of_a_gradient",
    },
    "srcad/export.py": {
        "cannot export {}, made by srcad": "usage export_of_a_gradient",
        "cannot export {}: {}": "usage export_of_an_object",
    },
    "srcad/numba_derivative.py": {
        "backend='numba' needs numba, which is not installed": "not code: numba is not installed",
        "backend='numba' takes a function of plain parameters, not {}": "usage numba_backend_star_args",
        "backend='numba' takes numbers and arrays as differentiated argum": "usage numba_backend_containers",
        "numba cannot take the argument {} of {}: {}": "usage numba_backend_untyped_argument",
        "backend='numba' does not differentiate {}, a derivative srcad ma": "usage numba_backend_of_a_derivative",
    },
    "srcad/numba_twins.py": {
        "srcad's numba backend does not sum a cotangent back over broadca": "usage numba_backend_broadcast_cotangent",
        "srcad's numba backend: a negative number to a fractional power i": "usage numba_backend_complex_power",
    },
    "srcad/numba_backend.py": {
        "cannot compile the derivative of {} with numba: it calls srcad's": "usage numba_backend_helper_without_a_twin",
        "numba cannot compile the derivative of {}: {}": "usage numba_backend_python_object",
        "the derivative {} is no longer cached: call again": "unreachable: a helper's derivative is compiled "
            "and cached with its caller's; only four recompilations of it in between would drop it",
    },
    "srcad/callables.py": {
        "cannot differentiate {} with respect to position {}: it takes {}": "usage position_beyond_a_partial",
    },
    "srcad/comprehensions.py": {
        "cannot differentiate an async comprehension": "row async_comprehension",
    },
    "srcad/container_writes.py": {
        "cannot differentiate a write into a {} at a computed key": "row write_into_a_dict_at_a_computed_key",
        "cannot differentiate a write into a {} that another name also ho": "row write_into_a_dict_another_name_holds",
        "cannot differentiate adding {} to a {} here": "row adding_a_key_in_a_branch",
        "cannot differentiate changing what the {} holds at {} (a contain": "row item_changing_structure_in_a_branch",
        "cannot differentiate {}= on the {} {}": "row in_place_operator_on_a_dict",
        "cannot unpack a {} into {} names": "row unpacking_too_many_names",
    },
    "srcad/container_loops.py": {
        "cannot differentiate break or continue in a loop over a containe": "row break_in_a_loop_over_a_container",
    },
    "srcad/container_inlining.py": {
        "cannot differentiate passing a container to a helper function wh": "row container_to_a_helper_inside_an_expression",
        "cannot differentiate passing a container to {}, which srcad inli": "row container_to_a_helper_with_two_returns",
        "cannot differentiate the recursive call of {} with a container": "row container_to_a_recursive_helper",
    },
    "srcad/containers.py": {
        "cannot differentiate .{} of a {} here": "row method_of_a_dict",
        "cannot differentiate a dict literal with computed keys or **": "row dict_literal_with_computed_keys",
        "cannot differentiate a loop that changes what the container {} i": "row loop_changing_a_containers_structure",
        "cannot differentiate a use of a {} as a whole": "row dict_as_a_whole",
        "cannot differentiate a use of {}, a container whose structure de": "row container_of_a_path",
        "cannot differentiate reading a {} at a computed key": "row reading_a_dict_at_a_computed_key",
        "cannot differentiate returns of different structures": "row returns_of_different_structures",
        "cannot differentiate {} on a dict here": "row operator_on_a_dict",
        "the {} has no {} {} in this call": "row reading_a_key_an_argument_does_not_have",
    },
    "srcad/custom.py": {
        "checkpoint takes a Python function (a def or a lambda), not {}. ": "usage checkpoint_of_a_library_function",
    },
    "srcad/dispatch.py": {
        "cannot differentiate {}, a gradient made with checkpoints=, agai": "usage gradient_with_checkpoints_differentiated_again",
        "checkpoints={}: it is None, a number of snapshots (an int from 1": "usage checkpoints_value",
        "<what>": "via Target.error, whose callers' messages are listed as their own sites",
        "cannot differentiate {} with respect to its argument at position": "usage star_args_position_not_passed",
        "cannot differentiate {} with respect to {}, a {} with {}": "usage container_without_numbers",
        "cannot differentiate {} with respect to {}, which holds {}": "usage argument_not_a_number",
        "cannot differentiate {}, made by srcad, again: srcad goes to sec": "usage third_derivative",
        "cannot differentiate {}, made by srcad.jvp, vjp, jacobian or hes": "usage gradient_of_a_jvp",
        "cannot differentiate {}: it is a decorator's wrapper (functools.": "usage decorator_wrapper_taking_star_args",
        "{} in {}": "via errors.complex_error, whose message is listed (usage complex_argument)",
        "{}(wrt={}): wrt must be a position, a parameter name or a tuple ": "usage wrt_of_another_type",
        "{}(wrt={}): {} has no parameter named {}": "usage wrt_name_not_a_parameter",
        "{}(wrt={}): {} has no positional parameter at position {}": "usage wrt_position_out_of_range",
        "{}: {} has no named parameters to differentiate with respect to,": "usage keyword_arguments_only",
    },
    "srcad/errors.py": {
        "<error.what>": "via Unsupported, whose messages are listed as the sites raising it",
        "<message>": "via errors.at, whose callers' messages are listed as their own sites",
        "{} cannot differentiate complex numbers: {}": "usage complex_argument",
        "{} needs a scalar output (a float), but {} returned {}": "usage text_output",
        "{} needs a scalar output, but {} returned an array of shape {}": "usage array_output",
        "{} returned a complex number": "via the subject of the complex numbers message (usage complex_output)",
    },
    "srcad/expressions.py": {
        "cannot differentiate a call of {} before its def inside the func": "row nested_function_called_before_its_def",
        "cannot differentiate a starred expression here": "unreachable: starred calls, lists and tuples are "
                                                          "normalised or refused (call_with_star_args) before",
        "cannot differentiate the nested function {} used as a value (onl": "row nested_function_as_a_value",
        "cannot differentiate the nested function {}, which calls itself": "row nested_function_calling_itself",
    },
    "srcad/introspect/graph.py": {
        "dot -T{} failed: {}": "not code: Graphviz's dot program failed; the message is its own error",
        "rendering a graph needs Graphviz's dot program, which is not ins": "not code: Graphviz is not installed; "
                                                                            "the message says how to install it",
    },
    "srcad/introspect/record.py": {
        "trace: the name {} is taken in {}. Rename {} in it (trace calls ": "usage trace_of_a_function_using_the_recorders_name",
    },
    "srcad/ir.py": {
        "cannot differentiate a call of {} with *args or **kwargs": "row helper_called_with_star_args",
        "cannot differentiate a call of {}, which takes {}": "row helper_taking_star_args",
        "the call does not match {}'s parameters ({})": "row helper_called_wrongly",
    },
    "srcad/library.py": {
        "cannot differentiate scipy.stats {}.{} passed as it is: srcad ha": "usage scipy_stats_method_without_a_formula",
        "cannot differentiate {} passed as it is: it has no required posi": "usage library_callable_without_required_parameters",
        "cannot differentiate {} passed as it is: its parameters cannot b": "usage library_callable_without_a_signature",
    },
    "srcad/nested.py": {
        "cannot differentiate a decorated nested function": "row nested_function_decorated",
        "cannot differentiate the call of the nested function {} with *ar": "row nested_function_called_with_star_args",
        "cannot differentiate the nested function {} with *args, **kwargs": "row nested_function_with_star_args",
        "cannot differentiate the nested function {}: a default that is n": "row nested_function_computed_default",
        "cannot differentiate the nested function {}: it must end with it": "row nested_function_returning_early",
        "cannot differentiate the nested function {}: it uses {}": "row nested_function_using_nonlocal",
        "the call of {} does not match its parameters": "row nested_function_called_wrongly",
    },
    "srcad/normalize.py": {
        "cannot differentiate a class definition": "row class",
        "cannot differentiate a del statement": "row del",
        "cannot differentiate a dict comprehension here (inside and/or, a": "row dict_comprehension_in_a_while_test",
        "cannot differentiate a global statement": "row global",
        "cannot differentiate a lambda inside the function": "row lambda_inside",
        "cannot differentiate a nonlocal statement": "row nonlocal",
        "cannot differentiate a second definition of the nested function ": "row nested_function_defined_twice",
        "cannot differentiate a set comprehension": "row set_comprehension",
        "cannot differentiate a try statement": "row try",
        "cannot differentiate a with statement": "row with",
        "cannot differentiate a {} statement": "row match",
        "cannot differentiate an assignment expression (:=)": "row assignment_expression",
        "cannot differentiate an assignment to {}": "row assignment_to_an_attribute",
        "cannot differentiate an async for loop": "unreachable: async for is only valid in an async function, "
                                                  "which parse.py refuses (usage an_async_function)",
        "cannot differentiate an async function": "row async_def_inside",
        "cannot differentiate an async with statement": "unreachable: async with is only valid in an async "
                                                        "function, which parse.py refuses (usage an_async_function)",
        "cannot differentiate an import statement": "row import",
        "cannot differentiate await": "unreachable: await is only valid in an async function, which parse.py "
                                      "refuses, or in a nested one, refused at its def (row async_def_inside)",
        "cannot differentiate starred unpacking (a, *rest = ...)": "row starred_unpacking",
        "cannot differentiate the nested function {}, whose name is also ": "row nested_function_name_also_assigned",
        "cannot differentiate yield (a generator)": "row generator",
        "cannot differentiate yield from (a generator)": "row yield_from",
        "cannot differentiate {}": "via the tables REFUSED_STATEMENTS and REFUSED_EXPRESSIONS, whose entries are listed",
    },
    "srcad/parse.py": {
        "cannot differentiate a lambda at {}:{}: it shares its line with ": "unreachable on Python 3.11+, where code "
                                                                           "objects keep columns that tell lambdas apart",
        "cannot differentiate a lambda whose source line cannot be parsed": "usage lambda_in_a_file_that_does_not_parse",
        "cannot differentiate the class {}: srcad differentiates function": "usage a_class",
        "cannot differentiate {}: it is a callable object whose __call__ ": "usage an_object_calling_no_python_function",
        "cannot differentiate {}: it is an async function. Differentiate ": "usage an_async_function",
        "cannot differentiate {}: it is not a Python function with source": "usage a_c_function",
        "cannot differentiate {}: its source code cannot be read ({}); it": "usage a_function_made_by_eval",
        "cannot differentiate {}: its source here is not the code that ru": "not code: its file was edited after "
                                                                             "it was imported (tests/passes/test_stale.py "
                                                                             "edits one and reloads it)",
        "cannot differentiate {}: no def found in its source": "unreachable: inspect gives the lines of a def "
                                                               "(lambdas are read apart)",
    },
    "srcad/pipeline.py": {
        "<first.removeprefix(f'{error.filename}:{error.lineno}: ').rstrip": "via srcad's own definitions of "
            "library functions (library.py), whose refusals are moved to the user's call",
        "cannot differentiate the recursive call of {}": "row recursion",
        "cannot differentiate this call of {}, which returns a container,": "row helper_returning_a_dict_inside_an_expression",
    },
    "srcad/runtime/containers.py": {
        "cannot differentiate this write into {}: it changes memory that ": "row write_into_what_a_row_read_before_views",
    },
    "srcad/runtime/core.py": {
        "srcad cannot differentiate + or * on lists or tuples of differen": "row list_concatenation",
        "srcad needs the values of a {}.{} to {}, and does not compute it": "usage dask_array_where_values_are_needed",
    },
    "srcad/runtime/linalg.py": {
        "srcad cannot differentiate np.linalg.cholesky of a {}.{}: anothe": "usage dask_cholesky_factor",
    },
    "srcad/tape/node.py": {
        "a traced value was turned into a plain float (by float(), a math": "row tape_math_function",
        "a traced value was turned into a plain numpy array (np.array, np": "row tape_np_array_of_traced_values",
        "assignment into a traced array (x[i] = ...): the tape cannot rec": "row tape_assignment_into_an_array",
        "np.{}.{} on a traced value has no derivative rule": "row tape_ufunc_method",
        "pow() with a modulus on a traced value": "row tape_pow_with_a_modulus",
    },
    "srcad/structured.py": {
        "cannot differentiate the gradient of {} with respect to the cont": "usage "
            "gradient_of_a_gradient_with_respect_to_another_container",
    },
    "srcad/tape/refusals.py": {
        "cannot differentiate {} with respect to its argument {}: it has ": "usage "
            "tape_no_closed_form_derivative_in_an_argument",
        "<what>": "via tape refusals, whose callers' messages are listed as their own sites",
        "a traced value stored into a plain numpy array (a[i] = ...): the": "row tape_store_into_a_plain_array",
        "a traced value passed as {}= to {}, whose derivative rule does n": "row tape_traced_keyword_the_rule_does_not_name",
        "an in-place {} (out=..., or a += x on a plain array) with a trac": "row tape_in_place_operation",
        "no derivative rule for {}": "row tape_no_derivative_rule",
        "the derivative rule of {} gives no cotangent for its argument {}": "usage tape_traced_argument_the_rule_does_not_cover",
        "the derivative rule of {} takes no argument {}": "row tape_keyword_the_rule_does_not_take",
        "{}. {}.": "via tape refusals with no user line (the message and hint listed at their sites)",
    },
    "srcad/tape/sweep.py": {
        "<what>": "via the tape's argument checks, whose messages are listed as their own sites",
        "srcad.tape: a gradient of a gradient through broadcasting is not": "usage tape_gradient_of_a_gradient_through_broadcasting",
        "{} in {}": "via errors.complex_error, whose message is listed (usage complex_argument)",
        "{}. {}.": "via the tape's argument checks with no user line (listed at their sites)",
        "{}: cannot differentiate {} with respect to {}: it is a {}": "usage tape_argument_not_a_number",
        "{}: wrt must be a position, a parameter name or a tuple of them": "usage tape_wrt_of_another_type",
        "{}: {} has no parameter named {}": "usage tape_wrt_name_not_a_parameter",
        "{}: {} has no positional parameter at position {}": "usage tape_wrt_position_out_of_range",
        "{}: {} has no readable signature": "unreachable: srcad.tape is given a def (with a signature) "
                                            "for a library callable without one, or a refusal",
    },
    "srcad/transform/adjoints.py": {
        "cannot differentiate a call with *args": "row call_with_star_args",
        "cannot differentiate and/or on a differentiated value": "row and_or_on_a_value",
        "cannot differentiate the method call {}() on a differentiated va": "row method_call_on_a_differentiated_value",
        "cannot differentiate {}": "unreachable: normalize.py leaves only names, constants, operators, calls, "
                                   "subscripts, attributes read as calls and and/or, which have adjoints or refusals",
        "cannot differentiate {}[...] of {}, which has no derivative rule": "row np_r_",
        "cannot match the call to the derivative rule of {} ({})": "row rule_without_that_argument",
        "cannot pass keyword arguments to {}, whose derivative rule was r": "row keywords_to_a_defvjp_rule",
        "no derivative rule for the operator {}": "row bitwise_operator_on_an_int",
        "no derivative rule for {}{}": "row no_derivative_rule",
    },
    "srcad/transform/calls.py": {
        "cannot differentiate the call of {}, which changes the different": "row helper_changing_a_list_through_another_name",
        "cannot differentiate a {} statement": "unreachable: normalize.py refuses every statement it does not "
                                               "rewrite (row match)",
        "cannot differentiate the call of {} for its effect on {}: srcad ": "row library_call_for_its_effect",
        "cannot differentiate the call of {}, a derivative srcad made oth": "row derivative_srcad_made_with_two_wrt",
    },
    "srcad/transform/templates.py": {
        "cannot differentiate {} with respect to its argument {}: it has ": "usage "
            "no_closed_form_derivative_in_an_argument",
    },
    "srcad/transform/checkpointed.py": {
        "cannot checkpoint a loop that calls a function writing into the ": "row checkpointed_loop_calling_a_writer",
        "cannot checkpoint a loop with a call made for its effect (a meth": "row checkpointed_loop_appending",
        "cannot checkpoint a loop that changes an array in place ({})": "row checkpointed_loop_changing_an_array_in_place",
        "cannot checkpoint a loop that writes into an array, a list or an": "row checkpointed_loop_writing_into_an_array",
    },
    "srcad/transform/control.py": {
        "cannot differentiate a loop with an else block": "row loop_else_with_break",
    },
    "srcad/transform/forward.py": {
        "cannot differentiate the method call .{}() that changes a differ": "row method_call_changing_a_value_forward",
        "cannot pass keyword arguments to {}, whose derivative rule was r": "row keywords_to_a_defjvp_rule",
        "no forward derivative rule for {}": "row no_forward_derivative_rule",
    },
    "srcad/transform/reverse.py": {
        "cannot differentiate the method call .{}() that changes a differ": "row method_call_changing_a_value",
    },
    "srcad/transform/reverse_tape.py": {
        "cannot differentiate the call of {}, which changes the different": "row helper_changing_a_list_it_is_given",
        "cannot differentiate a write into a slice of the list {} (revers": "row write_into_a_slice_of_a_list",
        "cannot differentiate a write into the argument {}: it would chan": "unreachable: the derivative writes into "
                                                                            "its own copy of an argument (owned.py)",
    },
    "srcad/writes.py": {
        "cannot differentiate a write into {} inside a loop over {} (for ": "row write_into_what_a_loop_goes_over",
        "cannot differentiate a change of an item that {} holds ({}[i][j]": "row change_of_an_item_of_a_list_of_lists",
        "<*_REFUSED[write.how](write, _user(write.base))>": "via writes._REFUSED, whose messages are listed",
        "<*_caller_sees(write, outside[0], outside[0] in self.params)>": "via writes._caller_sees, whose messages are listed",
        "<*_shared_memory(write, others)>": "via writes._shared_memory, whose messages are listed",
        "cannot differentiate a write into {}, which may share memory wit": "row write_through_a_view_of_an_argument",
        "cannot differentiate a write into {}: it would change {}": "row write_into_a_global",
        "cannot differentiate an in-place update ({} {} ...) of an array ": "row in_place_update_of_a_view",
        "cannot differentiate an in-place update ({} {} ...) of {}: it wo": "row in_place_update_of_a_view_of_an_argument",
        "cannot differentiate the call of {} for its effect: it may chang": "row library_call_changing_an_array",
        "cannot differentiate this call: it writes into {} (as {}), and t": "row helper_writing_into_its_argument",
        "cannot differentiate {}(..., out={}): it writes into {} in place": "row out_keyword",
        "cannot differentiate {}, which writes into {} in place": "row writer_function",
        "cannot differentiate {}: {} may view or alias the same memory an": "row write_through_a_view",
    },
}


def test_every_refusal_site_is_listed():
    sites = refusal_sites()
    listed = _listed()
    matched = {key: _site_of(key, sites) for key in listed}
    stale = sorted(key for key, found in matched.items() if not found)
    covered = {site for found in matched.values() for site in found}
    missing = sorted(site for site in sites if site not in covered)
    assert not missing, "refusals not in tests/errors/test_refusal_sites.py SITES (add a row to " \
                        "refusal_rows.py and list it):\n" + "\n".join(f"{p}: {t[:64]!r}" for p, t in missing)
    assert not stale, "listed refusals srcad no longer has:\n" + "\n".join(map(repr, stale))


def test_each_site_names_a_row_that_exists():
    for key, cover in _listed().items():
        kind, _, name = cover.partition(" ")
        kind = kind.rstrip(":")
        assert kind in ("row", "usage", "via", "unreachable", "not", "uncovered"), (key, cover)
        if kind == "row":
            assert name in ROWS, (key, cover)
        if kind == "usage":
            assert name in USAGE, (key, cover)
        if kind in ("via", "unreachable", "not", "uncovered"):
            assert len(name) > 10, f"{key}: say why"


def _pattern(text):
    return re.escape(text).replace(r"\{\}", ".*?")


def _literal_length(text):
    return len(text.replace("{}", ""))


def _matches(message, site):
    return not site[1].startswith("<") and re.search(_pattern(site[1]), message.splitlines()[0])


def _better_in_its_file(message, site, sites):
    """The sites of `site`'s file that match the message with more of their text than `site`
    (the table's entry, not the generic `cannot differentiate {}` it is formatted by)."""
    return [s for s in sites if s[0] == site[0] and _matches(message, s)
            and _literal_length(s[1]) > _literal_length(site[1])]


@pytest.fixture(scope="module")
def usage_module():
    f = load_function(USAGE_SOURCE, "cube")
    return sys.modules[f.__module__]


@pytest.mark.parametrize("key", sorted(k for k, c in _listed().items() if c.split()[0] in ("row", "usage")))
def test_the_row_meets_its_site(key, usage_module):
    """The row listed for a site is refused by that site (not by another one)."""
    kind, name = _listed()[key].split()
    if kind == "row":
        message = str(refusal_of(name))
    else:
        skip_without_what_it_needs(name)
        with pytest.raises(srcad.SrcadError) as info:
            USAGE[name][0](usage_module)
        message = str(info.value)
    sites = refusal_sites()
    site, = _site_of(key, sites)
    assert _matches(message, site), message
    assert not _better_in_its_file(message, site, sites), message
