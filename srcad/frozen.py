"""Frozen scipy.stats distributions made inside f, as calls of their distribution's methods.

srcad has the formulas of `scipy.stats.norm.logpdf(x, loc, scale)` and a few more (library.py).
A frozen distribution holds the parameters for them, so before normalisation

    scipy.stats.norm(mu, s).logpdf(x)          ->   scipy.stats.norm.logpdf(x, mu, s)

    d = scipy.stats.norm(mu, s)                     d_0 = mu
                                               ->   d_1 = s
                                                    d = scipy.stats.norm(d_0, d_1)
    y = d.logpdf(x)                                 y = scipy.stats.norm.logpdf(x, d_0, d_1)

The parameters are kept in names of their own where the frozen object is made, so that a later
change of `mu` does not reach `d`, as in Python. `d` itself stays for any other use (`d.ppf(q)`);
only a name bound once in f is followed, and only the methods srcad has formulas of.
"""
import inspect

import gast

from . import gastutil as g
from . import library


def rewrite(tree, resolve, names):
    """`tree` (a FunctionDef, changed in place and returned) with its frozen distributions'
    method calls rewritten; `resolve(expr)` is the object a name or attribute denotes, `names`
    gives fresh names."""
    bound_once = _bound_once(tree)
    return _Rewriter(resolve, names, bound_once).visit(tree)


def mentions_scipy_stats(src):
    """Whether `src` reads a name bound to scipy or something of scipy.stats (a module, a
    distribution), where this rewrite may apply: a cheap test before walking the tree."""
    for name_ in src.all_names - src.local_names:
        value = src.closure.get(name_, src.globals.get(name_))
        module = value.__name__ if inspect.ismodule(value) else type(value).__module__
        if (module or "").startswith("scipy"):
            return True
    return False


def _bound_once(tree):
    counts = {}
    for node in g.walk(tree):
        if isinstance(node, gast.Name) and isinstance(node.ctx, (gast.Store, gast.Del, gast.Param)):
            counts[node.id] = counts.get(node.id, 0) + 1
    return {name_ for name_, count in counts.items() if count == 1}


class _Rewriter(gast.NodeTransformer):
    def __init__(self, resolve, names, bound_once):
        self.resolve, self.names, self.bound_once = resolve, names, bound_once
        self.frozen = {}  # name -> (the distribution's expression, [argument names], {keyword: name})

    def distribution(self, func):
        """The scipy.stats distribution `func` denotes (`scipy.stats.norm`), else None."""
        obj = self.resolve(func)
        module = type(obj).__module__ or ""
        return obj if module.startswith("scipy.stats") and type(obj).__name__.endswith("_gen") else None

    def visit_Assign(self, node):
        self.generic_visit(node)
        value = node.value
        if not (len(node.targets) == 1 and isinstance(node.targets[0], gast.Name)
                and node.targets[0].id in self.bound_once and isinstance(value, gast.Call)
                and self.distribution(value.func) is not None
                and not any(isinstance(a, gast.Starred) for a in value.args)
                and all(k.arg is not None for k in value.keywords)):
            return node
        name_ = node.targets[0].id
        out, args, keywords = [], [], {}
        for i, arg in enumerate(value.args):  # the parameters, in names of their own
            args.append(self.names.fresh(f"{name_}_{i}"))
            out.append(g.located(g.assign(args[-1], arg), node))
        for keyword in value.keywords:
            keywords[keyword.arg] = self.names.fresh(f"{name_}_{keyword.arg}")
            out.append(g.located(g.assign(keywords[keyword.arg], keyword.value), node))
        self.frozen[name_] = (value.func, args, keywords)
        made = g.call(g.clone(value.func), [g.name(a) for a in args],
                      [gast.keyword(arg=k, value=g.name(v)) for k, v in keywords.items()])
        return out + [g.located(g.assign(name_, made), node)]

    def visit_Call(self, node):
        self.generic_visit(node)
        func = node.func
        if not isinstance(func, gast.Attribute):
            return node
        made = func.value
        if isinstance(made, gast.Call) and self.distribution(made.func) is not None \
                and all(k.arg is not None for k in made.keywords):  # norm(mu, s).logpdf(x)
            return self.method_call(node, made.func, list(made.args), list(made.keywords))
        if isinstance(made, gast.Name) and made.id in self.frozen:  # d.logpdf(x)
            dist, args, keywords = self.frozen[made.id]
            return self.method_call(node, dist, [g.name(a) for a in args],
                                    [gast.keyword(arg=k, value=g.name(v)) for k, v in keywords.items()])
        return node

    def method_call(self, node, dist, args, keywords):
        """`dist.method(<node's arguments>, <the frozen parameters>)` where srcad has the
        formula of that method, else `node` as it is."""
        method = node.func.attr
        if library.stats_method(self.resolve(dist), method) is None:
            return node
        return gast.Call(func=gast.Attribute(value=g.clone(dist), attr=method, ctx=gast.Load()),
                         args=list(node.args) + [g.clone(a) for a in args],
                         keywords=list(node.keywords) + [gast.keyword(arg=k.arg, value=g.clone(k.value))
                                                         for k in keywords])
