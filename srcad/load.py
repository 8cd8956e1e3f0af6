"""Load: source text -> a live function, compiled under a file name registered in linecache,
so that tracebacks, `inspect.getsource` and pdb show the generated lines."""
import linecache
import types

PREFIX = "<srcad "  # file names of generated code start so (see pipeline._generated_filename)


def is_generated(filename):
    """Whether code under `filename` is a derivative srcad generated."""
    return filename.startswith(PREFIX)


def code_of(text, filename, name_):
    """Compile `text` as `filename` and return the code object of the function `name_` in it
    (inside a factory, if the text has one)."""
    linecache.cache[filename] = (len(text), None, text.splitlines(True), filename)
    module = compile(text, filename, "exec")
    work = [module]
    while work:
        code = work.pop()
        for const in code.co_consts:
            if isinstance(const, types.CodeType):
                if const.co_name == name_:
                    return const
                work.append(const)
    raise LookupError(name_)


def function(code, user_fn, helpers, defaults):
    """A function running `code` in `user_fn`'s live globals, its free names bound to the helper
    objects and to `user_fn`'s own closure cells."""
    user_cells = dict(zip(user_fn.__code__.co_freevars, user_fn.__closure__ or ()))
    cells = tuple(user_cells[n] if n in user_cells else types.CellType(helpers[n])
                  for n in code.co_freevars)
    fn = types.FunctionType(code, user_fn.__globals__, code.co_name, defaults, cells or None)
    fn.__kwdefaults__ = user_fn.__kwdefaults__
    return fn
