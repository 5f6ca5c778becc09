Attribute VB_Name = "JCNB"
' 信息公开年报 add-in: the 校验 button and the helper macros the validator calls.
'
' The button sends the active workbook's report sheets to the validator with
' xlwings' RunServerPython (modules Remote, WebClient, ... of xlwings 0.37.8,
' imported by build_addin.py). The server answers with xlwings actions; what
' those cannot do, it asks for through runMacro: the JCNB_* macros below.
'
' Kept in the repository as UTF-8; build_addin.py converts it to the ANSI code
' page (GBK on Chinese Windows) before importing, as the VBA editor expects.
Option Explicit

Private Const APP_NAME As String = "JCNB"
Private Const TITLE As String = "信息公开年报校验"
Private Const DEFAULT_URL As String = "http://127.0.0.1:5000"
Private Const VALIDATE_PATH As String = "/xlwings/validate"
Private Const SUBMIT_PATH As String = "/xlwings/submit"
Private Const PING_PATH As String = "/xlwings/ping"
Private Const PING_ANSWER As String = "jcnb-validator"
Private Const ADDIN_HEADER As String = "X-JCNB-Addin"
Private Const UPLOAD_SHEET As String = "_upload"
Private Const CHUNK As Long = 30000
Private Const META_SHEET As String = "_meta"
Private Const TIMEOUT_MS As Long = 30000
Private Const NOTE_MARK As String = "【校验】"

Private m_Unprotected As Collection
Private m_Locked As String
Private m_Applying As Boolean
Private m_Explanation As String
Private m_Retry As Boolean

' ---------------------------------------------------------------------------
' Buttons
' ---------------------------------------------------------------------------

Public Sub Validate()
    ' 校验: send the report sheets of the active workbook to the validator.
    Dim wb As Workbook
    Set wb = ActiveWorkbook
    If wb Is Nothing Then
        MsgBox "请先打开要校验的年报工作簿。", vbExclamation, TITLE
        Exit Sub
    End If
    If Not Reachable() Then Exit Sub
    CallServer wb, VALIDATE_PATH
End Sub

Public Sub Submit()
    ' 提交: check the workbook again and submit it to the district with the unit's token.
    Dim wb As Workbook
    Set wb = ActiveWorkbook
    If wb Is Nothing Then
        MsgBox "请先打开要提交的年报工作簿。", vbExclamation, TITLE
        Exit Sub
    End If
    If Token() = "" Then SetToken
    If Token() = "" Then Exit Sub
    If Not Reachable() Then Exit Sub
    m_Explanation = ""
    Do
        m_Retry = False
        SendForSubmission wb
    Loop While m_Retry
End Sub

Private Sub SendForSubmission(wb As Workbook)
    ' The saved copy travels in a hidden sheet (base64 in column A) so that the
    ' district receives the file itself; the sheet is removed right after.
    Dim copyPath As String, include As String
    m_Applying = False
    On Error GoTo Failed
    copyPath = Environ("TEMP") & "\jcnb_" & Format(Now, "yyyymmddhhnnss") & IIf(LCase(Right(wb.Name, 5)) = ".xlsm", ".xlsm", ".xlsx")
    wb.SaveCopyAs copyPath
    AddUploadSheet wb, Base64File(copyPath), wb.Name, m_Explanation
    Kill copyPath
    include = ReportSheets(wb)
    If include <> "" Then include = include & "," & UPLOAD_SHEET
    Dim headers As New Dictionary
    headers.Add ADDIN_HEADER, HexName(ThisWorkbook.Name)
    RunServerPython ServerUrl() & SUBMIT_PATH, auth:=Token(), include:=include, headers:=headers, timeout:=TIMEOUT_MS
    RemoveUploadSheet wb
    Exit Sub
Failed:
    Dim number As Long, description As String
    number = Err.Number
    description = Err.Description
    On Error Resume Next
    RemoveUploadSheet wb
    RestoreProtection wb
    If copyPath <> "" Then If Dir(copyPath) <> "" Then Kill copyPath
    On Error GoTo 0
    ReportFailure number, description, "没有提交。请确认服务地址正确、网络畅通；也可以登录校验网页上传提交。"
End Sub

Private Function Base64File(path As String) As String
    Dim stream As Object, node As Object
    Set stream = CreateObject("ADODB.Stream")
    stream.Type = 1
    stream.Open
    stream.LoadFromFile path
    Set node = CreateObject("MSXML2.DOMDocument").createElement("b64")
    node.DataType = "bin.base64"
    node.nodeTypedValue = stream.Read
    stream.Close
    Base64File = Replace(Replace(node.Text, vbLf, ""), vbCr, "")
End Function

Private Sub AddUploadSheet(wb As Workbook, encoded As String, fileName As String, explanation As String)
    ' Excel reads Range.Value = text as typed input: a chunk starting with "+" or an explanation
    ' starting with "=" would become a formula (error 1004 past 8,192 characters). Columns A:C are
    ' formatted as text first, so everything stays exactly as written.
    Dim sheet As Worksheet, row As Long, position As Long
    RemoveUploadSheet wb
    Set sheet = wb.Worksheets.Add(After:=wb.Worksheets(wb.Worksheets.Count))
    sheet.Name = UPLOAD_SHEET
    sheet.Range("A:C").NumberFormat = "@"
    For position = 1 To Len(encoded) Step CHUNK
        row = row + 1
        sheet.Cells(row, 1).Value = Mid(encoded, position, CHUNK)
    Next
    sheet.Cells(1, 2).Value = fileName
    sheet.Cells(1, 3).Value = explanation
    sheet.Visible = xlSheetHidden
End Sub

Private Sub RemoveUploadSheet(wb As Workbook)
    Dim alerts As Boolean
    alerts = Application.DisplayAlerts
    Application.DisplayAlerts = False
    On Error Resume Next
    wb.Worksheets(UPLOAD_SHEET).Delete
    On Error GoTo 0
    Application.DisplayAlerts = alerts
End Sub

Public Sub SetToken()
    ' 令牌: the unit's token for 提交, given by the district (kept per Windows user).
    Dim answer As String
    answer = InputBox("请粘贴区政务公开办发给本单位的加载项令牌（以 jcnb_ 开头）：", TITLE, Token())
    If answer = "" Then Exit Sub
    SaveSetting APP_NAME, "Settings", "Token", Trim(answer)
    MsgBox "令牌已保存。", vbInformation, TITLE
End Sub

Public Function Token() As String
    Token = GetSetting(APP_NAME, "Settings", "Token", "")
End Function

Public Sub Settings()
    ' 设置: change the address of the validator (kept per Windows user).
    Dim answer As String
    answer = InputBox("校验服务的地址（由区政务公开办提供）：", TITLE, ServerUrl())
    If answer = "" Then Exit Sub
    If Right(answer, 1) = "/" Then answer = Left(answer, Len(answer) - 1)
    If Not Answers(answer) Then
        If MsgBox("地址 " & answer & " 目前没有校验服务应答（服务未启动、地址有误或网络不通）。" & vbCrLf & _
            "仍要保存这个地址吗？", vbQuestion + vbYesNo, TITLE) = vbNo Then Exit Sub
    End If
    SaveSetting APP_NAME, "Settings", "ServerUrl", answer
    MsgBox "已保存。以后校验将发送到：" & answer, vbInformation, TITLE
End Sub

Private Function Answers(url As String) As Boolean
    ' Whether the validator answers at url (GET /xlwings/ping, a few seconds at most).
    Dim http As Object
    On Error GoTo Failed
    Set http = CreateObject("WinHttp.WinHttpRequest.5.1")
    http.SetTimeouts 3000, 3000, 3000, 3000
    http.Open "GET", url & PING_PATH, False
    http.Send
    Answers = (http.Status = 200 And Left(http.ResponseText, Len(PING_ANSWER)) = PING_ANSWER)
    Exit Function
Failed:
    Answers = False
End Function

Public Sub OpenWebPage()
    ' 网页校验: open the validator's home page (upload page, templates, help).
    On Error GoTo Failed
    ThisWorkbook.FollowHyperlink ServerUrl() & "/"
    Exit Sub
Failed:
    MsgBox "无法打开 " & ServerUrl() & "：" & Err.Description, vbExclamation, TITLE
End Sub

Public Function ServerUrl() As String
    ServerUrl = GetSetting(APP_NAME, "Settings", "ServerUrl", DEFAULT_URL)
End Function

Private Sub CallServer(wb As Workbook, path As String, Optional extraHeaders As Dictionary)
    Dim headers As New Dictionary
    headers.Add ADDIN_HEADER, HexName(ThisWorkbook.Name)
    If Not extraHeaders Is Nothing Then
        Dim key As Variant
        For Each key In extraHeaders.Keys
            headers.Add key, extraHeaders(key)
        Next
    End If
    m_Applying = False
    On Error GoTo Failed
    RunServerPython ServerUrl() & path, include:=ReportSheets(wb), headers:=headers, timeout:=TIMEOUT_MS
    Exit Sub
Failed:
    Dim number As Long, description As String
    number = Err.Number
    description = Err.Description
    On Error Resume Next
    RestoreProtection wb
    On Error GoTo 0
    ReportFailure number, description, _
        "请确认校验服务已经启动、地址正确（“信息公开年报”选项卡 → 服务地址）。" & vbCrLf & _
        "如果仍无法使用，可以在浏览器中打开校验网页上传本文件。"
End Sub

Private Sub ReportFailure(number As Long, description As String, advice As String)
    ' Two different failures, two different messages: the answer arrived and applying it failed
    ' (JCNB_BeginUpdate had run), or the request itself failed. An unreachable validator is
    ' caught before the request (Reachable) and protection is restored by the caller.
    Application.ScreenUpdating = True
    If m_Applying Then
        If m_Locked <> "" Then
            MsgBox "校验结果没能全部写入工作簿：工作表 " & m_Locked & " 设有密码保护，无法写入合计和标记。" & vbCrLf & _
                "请在“审阅”→“撤销工作表保护”中输入密码撤销保护后再校验。" & vbCrLf & vbCrLf & _
                "（" & description & "）", vbExclamation, TITLE
        Else
            MsgBox "校验服务已经答复，但把结果写入工作簿时出错，标记和合计可能不完整。" & vbCrLf & _
                "请保存工作簿后再校验一次；如果仍然出错，请改用网页上传本文件，并把这段提示告诉区政务公开办。" & vbCrLf & vbCrLf & _
                "（错误 " & number & "：" & description & "）", vbExclamation, TITLE
        End If
    Else
        MsgBox "校验服务 " & ServerUrl() & " 没有完成这次请求。" & vbCrLf & vbCrLf & advice & vbCrLf & vbCrLf & _
            "（错误 " & number & "：" & description & "）", vbCritical, TITLE
    End If
    m_Applying = False
    m_Locked = ""
End Sub

Private Function Reachable() As Boolean
    ' Ask the validator first (GET /xlwings/ping, a few seconds at most). VBA-Web turns a
    ' refused connection or a timeout into an HTTP 408 that Remote.bas would show as an
    ' English "Error" box; here the clerk gets a Chinese message that says what to check.
    Reachable = Answers(ServerUrl())
    If Not Reachable Then
        MsgBox "无法连接校验服务 " & ServerUrl() & "。" & vbCrLf & vbCrLf & _
            "请确认校验服务已经启动、地址正确（“信息公开年报”选项卡 → 服务地址），网络畅通。" & vbCrLf & _
            "如果仍无法使用，可以在浏览器中打开校验网页上传本文件。", vbCritical, TITLE
    End If
End Function

Private Function HexName(text As String) As String
    ' HTTP headers carry ASCII only: the add-in's file name (信息公开年报.xlam) as hex
    ' UTF-16 code units, so the server can call its macros by their full name.
    Dim i As Long
    For i = 1 To Len(text)
        HexName = HexName & Right("000" & Hex(AscW(Mid(text, i, 1)) And &HFFFF&), 4)
    Next
End Function

Private Function ReportSheets(wb As Workbook) As String
    ' The template lists its report sheets in _meta!B5; send only those (and _meta).
    ' A workbook typed by hand has no _meta sheet: send every sheet.
    Dim meta As Worksheet
    On Error Resume Next
    Set meta = wb.Worksheets(META_SHEET)
    On Error GoTo 0
    If meta Is Nothing Then
        ReportSheets = ""
    ElseIf CStr(meta.Range("B5").Value) = "" Then
        ReportSheets = ""
    Else
        ReportSheets = CStr(meta.Range("B5").Value)
        If InStr(1, "," & ReportSheets & ",", "," & META_SHEET & ",") = 0 Then
            ReportSheets = ReportSheets & "," & META_SHEET
        End If
    End If
End Function

' ---------------------------------------------------------------------------
' Ribbon callbacks (customUI.xml)
' ---------------------------------------------------------------------------

Public Sub RibbonValidate(control As IRibbonControl)
    Validate
End Sub

Public Sub RibbonSubmit(control As IRibbonControl)
    Submit
End Sub

Public Sub RibbonSettings(control As IRibbonControl)
    Settings
End Sub

Public Sub RibbonToken(control As IRibbonControl)
    SetToken
End Sub

Public Sub RibbonWebPage(control As IRibbonControl)
    OpenWebPage
End Sub

' ---------------------------------------------------------------------------
' Macros the server calls through runMacro (first argument: the workbook)
' ---------------------------------------------------------------------------

Public Sub JCNB_BeginUpdate(wb As Workbook)
    ' The answer arrived and is being applied: lift the password-less protection so totals can be
    ' written into locked cells. Password:="" never prompts: a sheet with a password fails
    ' instead, is left protected and named to the clerk if writing into it fails.
    Dim ws As Worksheet
    m_Applying = True
    m_Locked = ""
    Set m_Unprotected = New Collection
    Application.ScreenUpdating = False
    For Each ws In wb.Worksheets
        If ws.ProtectContents Then
            On Error Resume Next
            ws.Unprotect Password:=""
            If Err.Number = 0 Then
                m_Unprotected.Add ws.Name
            Else
                m_Locked = m_Locked & IIf(m_Locked = "", "", "、") & "“" & ws.Name & "”"
            End If
            Err.Clear
            On Error GoTo 0
        End If
    Next
End Sub

Public Sub JCNB_EndUpdate(wb As Workbook)
    ' Put back the protection lifted by JCNB_BeginUpdate (formatting stays allowed).
    RestoreProtection wb
    m_Applying = False
    m_Locked = ""
    Application.ScreenUpdating = True
End Sub

Private Sub RestoreProtection(wb As Workbook)
    ' Also called when applying the answer failed halfway: protection is never left off.
    Dim name As Variant
    If Not m_Unprotected Is Nothing Then
        For Each name In m_Unprotected
            wb.Worksheets(CStr(name)).Protect DrawingObjects:=True, Contents:=True, Scenarios:=True, _
                AllowFormattingCells:=True, AllowFormattingColumns:=True, AllowFormattingRows:=True
        Next
    End If
    Set m_Unprotected = Nothing
End Sub

Public Sub JCNB_SetNotes(wb As Workbook, records As String)
    ' Records "sheet<US>A1<US>text" joined by <RS>; empty text removes the validator's note.
    Dim record As Variant, parts() As String, target As Range
    If records = "" Then Exit Sub
    For Each record In Split(records, Chr(30))
        parts = Split(record, Chr(31))
        Set target = wb.Worksheets(parts(0)).Range(parts(1))
        If Not target.Comment Is Nothing Then
            If Left(target.Comment.Text, Len(NOTE_MARK)) = NOTE_MARK Then target.Comment.Delete
        End If
        If parts(2) <> "" And target.Comment Is Nothing Then
            target.AddComment parts(2)
            target.Comment.Shape.Width = 320
            target.Comment.Shape.Height = 140
        End If
    Next
End Sub

Public Sub JCNB_ClearFill(wb As Workbook, records As String)
    ' Records "sheet<US>A1" joined by <RS>: remove the flag colour (cells of a hand-made workbook).
    Dim record As Variant, parts() As String
    If records = "" Then Exit Sub
    For Each record In Split(records, Chr(30))
        parts = Split(record, Chr(31))
        wb.Worksheets(parts(0)).Range(parts(1)).Interior.ColorIndex = xlNone
    Next
End Sub

Public Sub JCNB_HideSheet(wb As Workbook, sheetName As String)
    wb.Worksheets(sheetName).Visible = xlSheetHidden
End Sub

Public Sub JCNB_AskExplanation(wb As Workbook, prompt As String)
    ' The submission has warnings: ask for the 审核说明 and let Submit send again.
    Dim answer As String
    answer = InputBox(prompt, TITLE)
    If Len(Trim(answer)) > 0 Then
        m_Explanation = answer
        m_Retry = True
    End If
End Sub
