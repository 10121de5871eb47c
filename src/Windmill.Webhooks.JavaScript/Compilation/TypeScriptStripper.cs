using Windmill.Webhooks.Scripts;

namespace Windmill.Webhooks.JavaScript.Compilation;

/// <summary>A parameter's type annotation and optional marker, as written in the TypeScript source.</summary>
internal sealed record ParameterAnnotation(string? Type, bool Optional);

/// <summary>TypeScript with its types blanked out, and what the blanked parameter annotations said.</summary>
/// <param name="Code">The JavaScript: the source with every type replaced by spaces, so that lines and columns are unchanged.</param>
/// <param name="Parameters">The annotations of every function parameter, by the end offset of the parameter's name.</param>
internal sealed record StrippedScript(string Code, IReadOnlyDictionary<int, ParameterAnnotation> Parameters);

/// <summary>
/// Removes TypeScript's type syntax by replacing it with whitespace, keeping every other character where it was (the
/// approach of TypeScript's own <c>erasableSyntaxOnly</c> and Node.js's type stripping): annotations, interfaces, type
/// aliases, generics, <c>as</c>/<c>satisfies</c>, non-null <c>!</c>, optional markers, <c>import type</c>/<c>export type</c>,
/// <c>declare</c>, <c>abstract</c>, access modifiers, <c>implements</c> and overload signatures. Constructs that need code
/// generated (enums, namespaces, parameter properties) are refused, as Node.js refuses them.
/// </summary>
internal sealed class TypeScriptStripper
{
    private static readonly HashSet<string> NonOperandKeywords =
    [
        "return", "typeof", "instanceof", "in", "of", "new", "delete", "void", "throw", "case", "do", "else", "yield", "await",
        "extends", "if", "while", "for", "switch", "with", "const", "let", "var", "export", "import", "default",
    ];

    private static readonly HashSet<string> ClassModifiers = ["public", "private", "protected", "readonly", "override"];

    private readonly string _source;
    private readonly List<Token> _tokens;
    private readonly char[] _output;
    private readonly Dictionary<int, ParameterAnnotation> _parameters = [];
    private readonly Stack<Frame> _frames = new();
    private int _previous = -1;
    private bool _nextParenIsParameters;
    private int _functionStart = -1;
    private bool _pendingClass;
    private int _typeDepth;

    private TypeScriptStripper(string source)
    {
        _source = source;
        _tokens = TypeScriptTokenizer.Tokenize(source);
        _output = source.ToCharArray();
        _frames.Push(new Frame(FrameKind.Block));
    }

    private enum FrameKind { Block, Object, Class, Parameters, Paren, Bracket }

    private enum Declaration { None, Binding, AfterBinding, Initializer }

    /// <summary>Strips the types of <paramref name="source"/>; throws <see cref="ScriptCompilationException"/> for TypeScript that cannot be erased.</summary>
    public static StrippedScript Strip(string source)
    {
        var stripper = new TypeScriptStripper(source);
        stripper.Run();
        return new StrippedScript(new string(stripper._output), stripper._parameters);
    }

    private Token this[int index] => _tokens[Math.Min(index, _tokens.Count - 1)];

    private void Run()
    {
        var i = 0;
        while (this[i].Kind != TokenKind.End)
        {
            var next = Step(i);
            if (next < 0)
            {
                _previous = i;
                i++;
            }
            else
            {
                i = next;
            }
        }
    }

    // Handles token i. Returns the next token to look at when it blanked or consumed tokens, or -1 to keep token i and go on.
    private int Step(int i)
    {
        var token = this[i];
        var frame = _frames.Peek();
        if (token.Kind == TokenKind.Identifier)
        {
            if (frame.Kind == FrameKind.Block && AtStatementStart(i) && Statement(i) is var afterStatement and >= 0)
            {
                return afterStatement;
            }

            return Identifier(i, frame);
        }

        if (token.Kind != TokenKind.Punctuator)
        {
            return -1;
        }

        switch (token.Text)
        {
            case "(":
                Open(ParenKind(i, frame));
                return -1;
            case "[":
                Open(FrameKind.Bracket);
                return -1;
            case "{":
                Open(BraceKind(frame));
                return -1;
            case ")" or "]" or "}":
                return Close(i);
            case ":":
                return Colon(i, frame);
            case "?":
                return Question(i, frame);
            case "!" when IsOperandEnd(_previous) && !token.NewLineBefore:
                Blank(i, i + 1);
                return i + 1;
            case "<":
                return Angle(i);
            case "=":
                if (frame.Declaration == Declaration.AfterBinding)
                {
                    frame.Declaration = Declaration.Initializer;
                }

                return -1;
            case ",":
                if (frame.Declaration is Declaration.AfterBinding or Declaration.Initializer)
                {
                    frame.Declaration = Declaration.Binding;
                }

                return -1;
            case ";":
                frame.Declaration = Declaration.None;
                frame.Ternaries = 0;
                return -1;
            default:
                return -1;
        }
    }

    private int Identifier(int i, Frame frame)
    {
        var token = this[i];
        switch (token.Text)
        {
            case "let" or "const" or "var" when !IsKept(_previous, ".") && (this[i + 1].Kind == TokenKind.Identifier || this[i + 1].Is("{") || this[i + 1].Is("[")):
                frame.Declaration = Declaration.Binding;
                return -1;
            case "of" or "in" when frame.Declaration == Declaration.AfterBinding:
                frame.Declaration = Declaration.None;
                return -1;
            case "case":
                frame.Ternaries++;
                return -1;
            case "function" when !IsKept(_previous, "."):
                return Function(i);
            case "class" when !IsKept(_previous, "."):
                return Class(i);
            case "implements" when _pendingClass:
                var end = SkipType(i + 1);
                while (this[end].Is(","))
                {
                    end = SkipType(end + 1);
                }

                Blank(i, end);
                return end;
            case "as" or "satisfies" when IsOperandEnd(_previous) && !token.NewLineBefore:
                var typeEnd = SkipType(i + 1);
                Blank(i, typeEnd);
                return typeEnd;
            case "this" when frame.Kind == FrameKind.Parameters && this[i + 1].Is(":"):
                var thisEnd = SkipType(i + 2);
                thisEnd = this[thisEnd].Is(",") ? thisEnd + 1 : thisEnd;
                Blank(i, thisEnd);
                return thisEnd;
        }

        if (frame.Kind == FrameKind.Parameters && ClassModifiers.Contains(token.Text) && StartsMember(i + 1))
        {
            throw Refuse(token, $"TypeScript parameter properties ('{token.Text}' on a constructor parameter) are not supported: assign the field in the constructor instead");
        }

        if (frame.Kind == FrameKind.Class && AtMemberStart() && StartsMember(i + 1))
        {
            if (token.Text is "abstract" or "declare")
            {
                var memberEnd = SkipToStatementEnd(i + 1);
                Blank(i, memberEnd);
                return memberEnd;
            }

            if (ClassModifiers.Contains(token.Text))
            {
                Blank(i, i + 1);
                return i + 1;
            }
        }

        if (frame.Declaration == Declaration.Binding)
        {
            frame.Declaration = Declaration.AfterBinding;
        }

        return -1;
    }

    // At the start of a statement in a block: TypeScript's declarations and type-only imports and exports.
    private int Statement(int i)
    {
        var token = this[i];
        var next = this[i + 1];
        var start = IsKept(_previous, "export") ? _previous : i;
        switch (token.Text)
        {
            case "type" when next.Kind == TokenKind.Identifier && !next.NewLineBefore && (this[i + 2].Is("=") || this[i + 2].Is("<")):
                var aliasStart = this[i + 2].Is("<") ? SkipAngles(i + 2, checkContent: false) : i + 2;
                var aliasEnd = SkipType(aliasStart + 1);
                return BlankThrough(start, this[aliasEnd].Is(";") ? aliasEnd + 1 : aliasEnd);
            case "type" when start != i && (next.Is("{") || next.Is("*")):
                return BlankThrough(start, ModuleStatementEnd(i + 1));
            case "interface" when next.Kind == TokenKind.Identifier && !next.NewLineBefore:
                var body = i + 2;
                while (!this[body].Is("{") && this[body].Kind != TokenKind.End)
                {
                    body = this[body].Is("<") ? SkipAngles(body, checkContent: false) : body + 1;
                }

                return BlankThrough(start, Matching(body) + 1);
            case "declare" when next.Kind == TokenKind.Identifier && !next.NewLineBefore:
                return BlankThrough(start, SkipToStatementEnd(i + 1));
            case "abstract" when next.Is("class"):
                Blank(i, i + 1);
                return i + 1;
            case "enum" when next.Kind == TokenKind.Identifier && !next.NewLineBefore:
            case "const" when next.Is("enum"):
                throw Refuse(token, "TypeScript enums are not supported: they are not erasable; use a union of string literals or a plain object");
            case "namespace" or "module" when next.Kind == TokenKind.Identifier && !next.NewLineBefore && (this[i + 2].Is("{") || this[i + 2].Is(".")):
                throw Refuse(token, "TypeScript namespaces are not supported: they are not erasable; use plain objects or functions");
            case "import" when !next.Is("(") && !next.Is("."):
                return Import(i);
            case "export" when next.Is("{"):
                var close = Specifiers(i + 1);
                _previous = close;
                return close + 1;
            default:
                return -1;
        }
    }

    private int Import(int i)
    {
        var next = this[i + 1];
        if (next.Is("type") && !this[i + 2].Is("from") && !this[i + 2].Is(","))
        {
            return BlankThrough(i, ModuleStatementEnd(i + 1));
        }

        var brace = i + 1;
        var hasDefault = this[brace].Kind == TokenKind.Identifier && this[brace + 1].Is(",");
        brace = hasDefault ? brace + 2 : brace;
        if (!this[brace].Is("{"))
        {
            return -1;
        }

        var kept = 0;
        var close = Specifiers(brace, () => kept++);
        if (kept == 0 && !hasDefault)
        {
            return BlankThrough(i, ModuleStatementEnd(close));
        }

        _previous = close;
        return close + 1;
    }

    // Blanks the `type X` entries of an import or export list starting at the brace; returns the closing brace.
    private int Specifiers(int brace, Action? keptOne = null)
    {
        var i = brace + 1;
        while (!this[i].Is("}") && this[i].Kind != TokenKind.End)
        {
            var end = i;
            while (!this[end].Is(",") && !this[end].Is("}") && this[end].Kind != TokenKind.End)
            {
                end++;
            }

            if (this[i].Is("type") && end - i >= 2)
            {
                Blank(i, this[end].Is(",") ? end + 1 : end);
            }
            else
            {
                keptOne?.Invoke();
            }

            i = this[end].Is(",") ? end + 1 : end;
        }

        return i;
    }

    // The end of `… from 'module';` or of `{ … }` with no source: after the module string and an optional semicolon.
    private int ModuleStatementEnd(int i)
    {
        while (this[i].Kind is not (TokenKind.String or TokenKind.End) && !(this[i].Is(";") || (this[i].NewLineBefore && this[i - 1].Is("}"))))
        {
            i++;
        }

        if (this[i].Kind == TokenKind.String)
        {
            i++;
        }

        return this[i].Is(";") ? i + 1 : i;
    }

    private int Function(int i)
    {
        _functionStart = IsKept(_previous, "export") ? _previous : IsKept(_previous, "async") ? _previous : i;
        var j = i + 1;
        if (this[j].Is("*"))
        {
            j++;
        }

        if (this[j].Kind == TokenKind.Identifier)
        {
            j++;
        }

        if (this[j].Is("<"))
        {
            var end = SkipAngles(j, checkContent: false);
            Blank(j, end);
            j = end;
        }

        _nextParenIsParameters = true;
        _previous = LastKept(i, j);
        return j;
    }

    private int Class(int i)
    {
        var j = i + 1;
        if (this[j].Kind == TokenKind.Identifier && !this[j].Is("extends") && !this[j].Is("implements"))
        {
            j++;
        }

        if (this[j].Is("<"))
        {
            var end = SkipAngles(j, checkContent: false);
            Blank(j, end);
            _previous = j - 1;
            j = end;
        }
        else
        {
            _previous = j - 1;
        }

        _pendingClass = true;
        return j;
    }

    private FrameKind ParenKind(int i, Frame frame)
    {
        if (_nextParenIsParameters)
        {
            _nextParenIsParameters = false;
            return FrameKind.Parameters;
        }

        if (_previous >= 0 && this[_previous].Kind == TokenKind.Identifier && this[_previous].Text is "if" or "while" or "for" or "switch" or "with")
        {
            return FrameKind.Paren;
        }

        var after = this[Matching(i) + 1];
        return after.Is("{") || after.Is("=>") || (after.Is(":") && frame.Ternaries == 0 && frame.Kind != FrameKind.Object)
            ? FrameKind.Parameters
            : FrameKind.Paren;
    }

    private FrameKind BraceKind(Frame frame)
    {
        if (_pendingClass)
        {
            _pendingClass = false;
            return FrameKind.Class;
        }

        if (frame.Declaration == Declaration.Binding || frame.Kind == FrameKind.Parameters)
        {
            return FrameKind.Object;
        }

        if (_previous < 0)
        {
            return FrameKind.Block;
        }

        var previous = this[_previous];
        return previous.Text is ";" or "{" or "}" or ")" or "=>" or "else" or "do" or "try" or "finally"
            && previous.Kind is TokenKind.Punctuator or TokenKind.Identifier
            ? FrameKind.Block
            : FrameKind.Object;
    }

    private void Open(FrameKind kind) => _frames.Push(new Frame(kind) { FunctionStart = kind == FrameKind.Parameters ? TakeFunctionStart() : -1 });

    private int TakeFunctionStart()
    {
        var start = _functionStart;
        _functionStart = -1;
        return start;
    }

    private int Close(int i)
    {
        var closed = _frames.Count > 1 ? _frames.Pop() : _frames.Peek();
        var frame = _frames.Peek();
        if (frame.Declaration == Declaration.Binding && closed.Kind is FrameKind.Object or FrameKind.Bracket)
        {
            frame.Declaration = Declaration.AfterBinding;
        }

        if (closed.Kind != FrameKind.Parameters)
        {
            return -1;
        }

        _previous = i;
        var next = i + 1;
        if (this[next].Is(":") && frame.Ternaries == 0)
        {
            next = SkipType(next + 1);
            Blank(i + 1, next);
        }

        // An overload signature: a function declaration with no body.
        if (closed.FunctionStart >= 0 && !this[next].Is("{"))
        {
            if (this[next].Is(";") || this[next].NewLineBefore)
            {
                return BlankThrough(closed.FunctionStart, this[next].Is(";") ? next + 1 : next);
            }
        }

        return next;
    }

    private int Colon(int i, Frame frame)
    {
        if (frame.Ternaries > 0)
        {
            frame.Ternaries--;
            return -1;
        }

        var annotated = frame.Kind switch
        {
            FrameKind.Parameters => _previous >= 0 && (this[_previous].Kind == TokenKind.Identifier || this[_previous].Is("}") || this[_previous].Is("]")),
            FrameKind.Class => true,
            _ => frame.Declaration == Declaration.AfterBinding,
        };
        if (!annotated)
        {
            return -1;
        }

        var end = SkipType(i + 1);
        if (frame.Kind == FrameKind.Parameters && this[_previous].Kind == TokenKind.Identifier)
        {
            var name = this[_previous].End;
            var optional = _parameters.TryGetValue(name, out var marked) && marked.Optional;
            _parameters[name] = new ParameterAnnotation(_source[this[i + 1].Start..this[end - 1].End], optional);
        }

        Blank(i, end);
        return end;
    }

    private int Question(int i, Frame frame)
    {
        var next = this[i + 1];
        if (frame.Kind is FrameKind.Parameters or FrameKind.Class && _previous >= 0 && this[_previous].Kind == TokenKind.Identifier
            && (next.Is(":") || next.Is(",") || next.Is(")") || next.Is("=") || next.Is(";") || next.Is("(") || next.NewLineBefore))
        {
            if (frame.Kind == FrameKind.Parameters)
            {
                _parameters[this[_previous].End] = new ParameterAnnotation(null, true);
            }

            Blank(i, i + 1);
            return i + 1;
        }

        frame.Ternaries++;
        return -1;
    }

    private int Angle(int i)
    {
        if (_previous < 0 || !IsOperandEnd(_previous) || this[_previous].Is("}"))
        {
            // Where an operand is expected, '<' opens a generic arrow function's type parameters (or an old-style cast).
            var parameters = SkipAngles(i, checkContent: false);
            Blank(i, parameters);
            if (this[parameters].Is("("))
            {
                _nextParenIsParameters = true;
            }

            return parameters;
        }

        var end = SkipAngles(i, checkContent: true);
        if (end < 0)
        {
            return -1;
        }

        var after = this[end];
        var typeArguments = after.Is("(") || after.Kind == TokenKind.Template || after.Is(")") || after.Is(",") || after.Is(";")
            || after.Is("]") || after.Is("}") || after.Is(".") || after.Is("?.") || after.Kind == TokenKind.End
            || (_pendingClass && (after.Is("{") || after.Is("implements")));
        if (!typeArguments)
        {
            return -1;
        }

        Blank(i, end);
        return end;
    }

    // Types nest by recursion (function types, conditional types, `new`), so the depth is bounded: deep enough for any
    // real type, shallow enough that hostile content cannot overflow the stack.
    private int SkipType(int i)
    {
        EnterType(i);
        try
        {
            return SkipUnion(i);
        }
        finally
        {
            _typeDepth--;
        }
    }

    private int SkipTypeOperand(int i)
    {
        EnterType(i);
        try
        {
            var end = SkipOperand(i);
            return end > i ? end : throw Refuse(this[i], "Syntax error: type expected");
        }
        finally
        {
            _typeDepth--;
        }
    }

    private void EnterType(int i)
    {
        if (++_typeDepth > JavaScriptCompiler.MaxNesting)
        {
            throw Refuse(this[i], JavaScriptCompiler.TooDeeplyNested);
        }
    }

    private int SkipUnion(int i)
    {
        if (this[i].Is("|") || this[i].Is("&"))
        {
            i++;
        }

        i = SkipTypeOperand(i);
        while (this[i].Is("|") || this[i].Is("&"))
        {
            i = SkipTypeOperand(i + 1);
        }

        if (this[i].Is("extends") && !this[i].NewLineBefore)
        {
            i = SkipTypeOperand(i + 1);
            if (this[i].Is("?"))
            {
                i = SkipType(i + 1);
                i = this[i].Is(":") ? SkipType(i + 1) : i;
            }
        }

        return i;
    }

    private int SkipOperand(int i)
    {
        while (this[i].Kind == TokenKind.Identifier && this[i].Text is "keyof" or "readonly" or "unique" or "asserts" or "infer" or "typeof" or "abstract"
            && this[i + 1].Kind is TokenKind.Identifier or TokenKind.Punctuator && !this[i + 1].Is("|") && !this[i + 1].Is(",") && !this[i + 1].Is(")")
            && !this[i + 1].Is(";") && !this[i + 1].Is("=") && !this[i + 1].Is("]") && !this[i + 1].Is("}") && !this[i + 1].Is(">"))
        {
            i++;
        }

        var token = this[i];
        if (token.Is("new"))
        {
            return SkipTypeOperand(i + 1);
        }

        if (token.Is("<"))
        {
            return SkipTypeOperand(SkipAngles(i, checkContent: false));
        }

        if (token.Is("("))
        {
            i = Matching(i) + 1;
            if (this[i].Is("=>"))
            {
                return SkipType(i + 1);
            }
        }
        else if (token.Is("[") || token.Is("{"))
        {
            i = Matching(i) + 1;
        }
        else if (token.Is("-") && this[i + 1].Kind == TokenKind.Number)
        {
            i += 2;
        }
        else if (token.Kind is TokenKind.String or TokenKind.Number or TokenKind.Template)
        {
            i++;
        }
        else if (token.Kind == TokenKind.Identifier)
        {
            i++;
            while (this[i].Is(".") && this[i + 1].Kind == TokenKind.Identifier)
            {
                i += 2;
            }

            if (this[i].Is("<"))
            {
                i = SkipAngles(i, checkContent: false);
            }

            if (this[i].Is("is") && !this[i].NewLineBefore)
            {
                return SkipType(i + 1);
            }
        }

        while (this[i].Is("[") && !this[i].NewLineBefore)
        {
            i = Matching(i) + 1;
        }

        return i;
    }

    // From '<' to just after its '>'. With checkContent, -1 when what lies between cannot be a list of types.
    private int SkipAngles(int i, bool checkContent)
    {
        var depth = 0;
        for (var j = i; j < _tokens.Count; j++)
        {
            var token = this[j];
            switch (token.Kind)
            {
                case TokenKind.End:
                    return checkContent ? -1 : j;
                case TokenKind.Punctuator when token.Text is "(" or "[" or "{":
                    j = Matching(j);
                    continue;
                case TokenKind.Punctuator when token.Text == "<":
                    depth++;
                    continue;
                case TokenKind.Punctuator when token.Text is ">" or ">>" or ">>>":
                    depth -= token.Text.Length;
                    if (depth <= 0)
                    {
                        return j + 1;
                    }

                    continue;
                case TokenKind.Punctuator when checkContent && token.Text is not ("," or "." or "|" or "&" or "=>" or "?" or ":" or "=" or "..." or "-"):
                    return -1;
            }
        }

        return checkContent ? -1 : _tokens.Count - 1;
    }

    private int Matching(int i)
    {
        var depth = 0;
        for (var j = i; j < _tokens.Count; j++)
        {
            var token = this[j];
            if (token.Kind == TokenKind.End)
            {
                return j - 1;
            }

            if (token.Kind != TokenKind.Punctuator)
            {
                continue;
            }

            if (token.Text is "(" or "[" or "{")
            {
                depth++;
            }
            else if (token.Text is ")" or "]" or "}" && --depth == 0)
            {
                return j;
            }
        }

        return _tokens.Count - 1;
    }

    // The end of a declaration that has no body of its own: after its ';', or before the next line's first token.
    private int SkipToStatementEnd(int i)
    {
        var j = i;
        while (this[j].Kind != TokenKind.End)
        {
            if (j > i && this[j].NewLineBefore && !this[j - 1].Is(":") && !this[j].Is("|") && !this[j].Is("&") && !this[j].Is("{"))
            {
                return j;
            }

            if (this[j].Is(";"))
            {
                return j + 1;
            }

            if (this[j].Is("(") || this[j].Is("[") || this[j].Is("{"))
            {
                var wasBrace = this[j].Is("{");
                j = Matching(j) + 1;
                if (wasBrace && this[j].NewLineBefore)
                {
                    return j;
                }

                continue;
            }

            j = this[j].Is("<") ? SkipAngles(j, checkContent: false) : j + 1;
        }

        return j;
    }

    private bool AtStatementStart(int i)
    {
        if (_previous < 0)
        {
            return true;
        }

        var previous = this[_previous];
        return previous.Is(";") || previous.Is("{") || previous.Is("}") || previous.Is("export")
            || (this[i].NewLineBefore && (previous.Kind != TokenKind.Punctuator || previous.Is(")") || previous.Is("]")));
    }

    private bool AtMemberStart() =>
        _previous < 0 || this[_previous].Is("{") || this[_previous].Is(";") || this[_previous].Is("}")
        || (_previous + 1 < _tokens.Count && this[_previous + 1].NewLineBefore) || IsModifier(_previous);

    private bool IsModifier(int i) => this[i].Kind == TokenKind.Identifier && (ClassModifiers.Contains(this[i].Text) || this[i].Text is "static" or "async" or "abstract" or "declare");

    // Whether token i starts a member or parameter name, so that the token before it was a modifier, not a name.
    private bool StartsMember(int i)
    {
        var token = this[i];
        return token.Kind is TokenKind.Identifier or TokenKind.String or TokenKind.Number || token.Is("[") || token.Is("{") || token.Is("*");
    }

    private bool IsOperandEnd(int i)
    {
        if (i < 0)
        {
            return false;
        }

        var token = this[i];
        return token.Kind switch
        {
            TokenKind.Identifier => !NonOperandKeywords.Contains(token.Text),
            TokenKind.Punctuator => token.Text is ")" or "]" or "}",
            TokenKind.End => false,
            _ => true,
        };
    }

    private bool IsKept(int i, string text) => i >= 0 && this[i].Is(text);

    private int LastKept(int from, int to)
    {
        for (var j = to - 1; j >= from; j--)
        {
            if (!char.IsWhiteSpace(_output[this[j].Start]))
            {
                return j;
            }
        }

        return from;
    }

    private int BlankThrough(int from, int to)
    {
        Blank(from, to);
        return to;
    }

    // Replaces tokens [from, to) and everything between them with spaces, keeping line breaks where they are.
    private void Blank(int from, int to)
    {
        if (to <= from)
        {
            return;
        }

        var end = this[to - 1].End;
        for (var c = this[from].Start; c < end; c++)
        {
            if (_output[c] is not ('\n' or '\r' or '\u2028' or '\u2029'))
            {
                _output[c] = ' ';
            }
        }
    }

    private ScriptCompilationException Refuse(Token token, string message)
    {
        var (line, column) = JavaScriptCompiler.Place(_source, token.Start);
        return new ScriptCompilationException(message, line, column);
    }

    private sealed class Frame(FrameKind kind)
    {
        public FrameKind Kind { get; } = kind;

        public int Ternaries { get; set; }

        public Declaration Declaration { get; set; }

        public int FunctionStart { get; init; } = -1;
    }
}
